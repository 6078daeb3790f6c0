"""The on-disk cache (`.k8slint_cache`): what a run computed, for the next run.

Three kinds of entries, each keyed by everything its result depends on
(`keys`): a file's per-file results (`files`), a Kustomize build's output
(`builds`) and a whole run's result (`runs`), so that re-linting an unchanged
tree reads one entry. See docs/cache.md.

Entries are pickles written and read only by the same code (the code's
fingerprint is in every key); one that does not load is a miss.
"""

from __future__ import annotations

import pickle
from typing import Any

from k8slint.cache.digests import FileDigests
from k8slint.cache.store import Store

DIRECTORY_NAME = ".k8slint_cache"
ENV_DIRECTORY = "K8SLINT_CACHE_DIR"
"""Where the cache goes when neither --cache-dir nor the config says (tests, CI)."""

FILES, BUILDS, RUNS = "files", "builds", "runs"


class Cache:
    """A run's access to the cache directory: entries by key, and the digests of
    the files it has read, so that a file hashed for a build is not read again."""

    def __init__(self, directory: str, settings: str = "") -> None:
        self.store = Store(directory)
        self.store.open()
        self.settings = settings
        """The caller's fingerprint of what decides a run beyond the engine's own
        settings (the config, --select/--ignore): part of the run entry's key."""
        self._digests = FileDigests(self.store)

    @property
    def problem(self) -> str | None:
        """Why the cache cannot be written, for one notice (the run goes on)."""
        return self.store.problem

    def load(self, kind: str, key: str) -> Any | None:
        """The entry, or None when it is missing or does not load (then it is rewritten)."""
        payload = self.store.get(kind, key)
        if payload is None:
            return None
        try:
            return pickle.loads(payload)
        except Exception:  # truncated, garbage, or an object of code that is gone
            return None

    def save(self, kind: str, key: str, value: Any) -> None:
        self.store.put(kind, key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def file_digest(self, path: str) -> str | None:
        """The sha256 of a file's bytes (None: unreadable); see `FileDigests.of`."""
        return self._digests.of(path)

    def finish(self) -> None:
        """After a run: record the files' digests, bound the directory's size."""
        self._digests.save()
        self.store.prune()
