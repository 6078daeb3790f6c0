"""Files' content digests, with a stat shortcut that is safe against quick edits.

Reading and hashing every file is a third of a warm run. A file whose stat
(size, modification and change times, inode, device) is the one recorded
with its digest last time has that digest: an edit changes the change time
(which no tool can set back), and a rename or a replacement the inode. The
one unsafe case, two edits within one tick of the file system's clock, is
ruled out as git rules out "racily clean" files: a digest is recorded only
for a file whose times are a few seconds older than the moment it was read.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import time

from k8slint.cache.store import Store
from k8slint.cache.witness import Stats

Signature = tuple[int, int, int, int, int]
"""(size, mtime_ns, ctime_ns, inode, device)."""

SETTLED_NS = 3 * 10**9
"""A file changed less than this before it was read is not recorded (FAT's
modification time has a two-second tick)."""

MAX_RECORDED = 200_000
"""Past this, the index keeps only the last run's files (bounded, like the cache)."""

_KIND, _KEY = "digests", "index"


class FileDigests:
    """sha256 of files' bytes, once per run and file, through the stat index."""

    def __init__(self, store: Store, stats: Stats) -> None:
        self._store = store
        self._stats = stats
        self._known = self._load()
        self._seen: dict[str, tuple[Signature, str]] = {}
        self._computed: dict[str, str | None] = {}
        self._changed = False

    def _load(self) -> dict[str, tuple[Signature, str]]:
        payload = self._store.get(_KIND, _KEY)
        try:
            index = pickle.loads(payload) if payload is not None else {}
        except Exception:
            return {}
        return index if isinstance(index, dict) else {}

    def of(self, path: str) -> str | None:
        """The digest of `path`'s bytes (None: unreadable, or not a regular file:
        a pipe can be read once only, and that read is the loader's)."""
        absolute = os.path.abspath(path)  # not realpath: a tenth of a warm run's time
        if absolute in self._computed:
            return self._computed[absolute]
        found = self._computed[absolute] = self._digest(absolute)
        return found

    def _digest(self, path: str) -> str | None:
        facts = self._stats.of(path)
        if facts is None or not stat.S_ISREG(facts.st_mode):
            return None
        signature = (
            facts.st_size,
            facts.st_mtime_ns,
            facts.st_ctime_ns,
            facts.st_ino,
            facts.st_dev,
        )
        known = self._known.get(path)
        if known is not None and known[0] == signature:
            self._seen[path] = known
            return known[1]
        now = time.time_ns()
        try:
            found = _hash(path)
        except (OSError, ValueError):
            return None
        if max(facts.st_mtime_ns, facts.st_ctime_ns) < now - SETTLED_NS:
            self._seen[path] = (signature, found)
            self._changed = True
        return found

    def hashed(self) -> list[str]:
        """The absolute paths whose digests this run took."""
        return list(self._computed)

    def save(self) -> None:
        """Record this run's settled files (and the earlier ones, up to the bound),
        and forget this run's digests: the next run (--fix lints again after
        writing) looks at the files afresh."""
        index = {**self._known, **self._seen} if len(self._known) < MAX_RECORDED else self._seen
        if self._changed:
            self._store.put(_KIND, _KEY, pickle.dumps(index, protocol=pickle.HIGHEST_PROTOCOL))
        self._known, self._seen, self._computed, self._changed = index, {}, {}, False


def _hash(path: str) -> str:
    hashed = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 20):
            hashed.update(chunk)
    return hashed.hexdigest()
