"""The code's fingerprint without reading the code on every run.

`keys.code_fingerprint` reads and hashes every source, rule and preset file:
about a tenth of a one-file lint's time, on every run. Their stat is much
cheaper, so the fingerprint is remembered in the cache directory under the
stat of every one of those files: a run whose code files all have the stat
they had when it was recorded takes the recorded fingerprint. An edit of a
source file changes its size or times (and a replacement its inode), which is
another entry, computed again from the bytes. As for files' digests
(`digests.SETTLED_NS`), an entry is recorded only when every file last changed
a few seconds before it was read, so two edits within one tick of the clock
cannot keep a stale fingerprint.
"""

from __future__ import annotations

import functools
import os

from k8slint.cache import digests, keys
from k8slint.cache.store import Store

_KIND = "code"


def remembered_fingerprint(store: Store, now_ns: int) -> str:
    """`keys.code_fingerprint()`, through the entry kept under the code files'
    stat in `store` (made when missing, unless a file changed just before `now_ns`)."""
    key, newest = _stat_key()
    payload = store.get(_KIND, key)
    if payload is not None and len(payload) == 64:
        return payload.decode("ascii", "replace")
    found = keys.code_fingerprint()
    if newest < now_ns - digests.SETTLED_NS:
        store.put(_KIND, key, found.encode())
    return found


@functools.cache
def _stat_key() -> tuple[str, int]:
    """The digest of every code file's (name, size, modification and change
    times, inode, device) and of the versions, and the latest time any file
    changed. Once per process, as `keys.code_fingerprint`: the code a process
    runs is the code it imported."""
    stats: list[tuple[object, ...]] = [(keys.version_text(),)]
    newest = 0
    for path, name in keys.code_files():
        try:
            facts = os.stat(path)
        except OSError:  # gone mid-walk: no entry is recorded
            stats.append((name,))
            newest = 2**63
            continue
        stats.append(
            (name, facts.st_size, facts.st_mtime_ns, facts.st_ctime_ns, facts.st_ino, facts.st_dev)
        )
        newest = max(newest, facts.st_mtime_ns, facts.st_ctime_ns)
    return keys.content_digest(repr(stats).encode()), newest
