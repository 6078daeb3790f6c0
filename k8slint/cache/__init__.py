"""The on-disk cache (`.k8slint_cache`): what a run computed, for the next run.

Four kinds of entries, each keyed by everything its result depends on
(`keys`): a file's per-file results (`files`), a Kustomize build's output
(`builds`; a remote build's, with the time it was fetched, in `remote`) and a
whole run's result (`runs`); and a run's witness (`witnesses`:
the stat of everything it looked at, keyed by the files as named and the
settings), so that re-linting an unchanged tree stats its files and reads two
entries. See docs/cache.md.

Entries are pickles written and read only by the same code (the code's
fingerprint is in every key); one that does not load is a miss.
"""

from __future__ import annotations

import functools
import pickle
import time
from typing import Any

from k8slint.cache.digests import FileDigests
from k8slint.cache.store import Store
from k8slint.cache.witness import Record, Stats, Witness

DIRECTORY_NAME = ".k8slint_cache"
ENV_DIRECTORY = "K8SLINT_CACHE_DIR"
"""Where the cache goes when neither --cache-dir nor the config says (tests, CI)."""

FILES, BUILDS, BUILT, REMOTE = "files", "builds", "built", "remote"
RUNS, WITNESSES = "runs", "witnesses"
CROSS, SNAPSHOTS = "crossobject", "snapshots"


class Cache:
    """A run's access to the cache directory: entries by key, and the digests of
    the files it has read, so that a file hashed for a build is not read again."""

    def __init__(self, directory: str, settings: str = "") -> None:
        self.began_ns = time.time_ns()
        """Before the files were found (the caller opens the cache first): what
        changed since is not vouched for by a witness."""
        self.store = Store(directory)
        self.store.open()
        self.settings = settings
        """The caller's fingerprint of what decides a run beyond the engine's own
        settings (the config, --select/--ignore): part of the run entry's key."""
        self.stats = Stats()
        """The stat of each path this run asked, as when it began (`Stats`)."""
        self._digests = FileDigests(self.store, self.stats)
        self.witness = Witness()

    @functools.cached_property
    def code(self) -> str:
        """The code's fingerprint (`keys.code_fingerprint`), part of every key:
        through the cache, which remembers it by the stat of the code's files."""
        from k8slint.cache.code import remembered_fingerprint

        return remembered_fingerprint(self.store, self.began_ns)

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

    def hashed(self) -> list[str]:
        """The files (absolute) whose digests this run took."""
        return self._digests.hashed()

    def recall_run(self, witness_key: str) -> Any | None:
        """What was remembered with the witness under `witness_key` (the whole
        run's key...), if the witness vouches that nothing it saw has changed."""
        entry = self.load(WITNESSES, witness_key)
        if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], Record)):
            return None
        record, remembered = entry
        return remembered if record.unchanged(self.stats) else None

    def remember_run(self, witness_key: str, remembered: Any) -> None:
        """After a run whose result is kept, its witness with what finds the result
        (unless something it saw changed too recently to be vouched for)."""
        record = self.witness.record(self.hashed(), self.began_ns)
        if record is not None:
            self.save(WITNESSES, witness_key, (record, remembered))

    def finish(self) -> None:
        """After a run: record the files' digests, bound the directory's size."""
        self._digests.save()
        self.stats.clear()
        self.witness = Witness()
        self.store.prune()
