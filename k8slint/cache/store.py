"""The cache directory: entries written atomically, read defensively, size bounded.

Every entry is one file named by its key (a hex digest), in a folder per kind
of entry. A write goes to a temporary file in the same folder and is renamed
over the entry, so a reader (another run, a pre-commit hook beside this one)
sees a whole entry or none. A read that finds garbage (a truncated write from
a killed run, another program's file, an old format) is a miss, and the entry
is rewritten. The directory deleted mid-run is recreated at the next write;
a directory that cannot be written makes the run go on without writing.
"""

from __future__ import annotations

import contextlib
import os
import time

GITIGNORE = "# Created by k8slint: the cache is local to this checkout.\n*\n"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by k8slint.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)
"""Backup tools skip a directory holding this (https://bford.info/cachedir/)."""

MAGIC = b"k8slint-cache-1\n"
"""Every entry starts so, then its key: a file that does not is not ours."""

MAX_BYTES = 512 * 2**20
"""The cache's size bound: past it, the least recently written entries go."""

PRUNED_TO = 0.75
"""Pruning frees down to this share of `MAX_BYTES`, so it is not needed every run."""

SIZE_STAMP = "size"
"""The file (beside `.gitignore`) that keeps the directory's size as last walked
plus what runs wrote since, and when it was walked: most runs that write add to
it instead of walking every entry (a 2,000-file repository's cache has 2,000+)."""

WALK_EVERY = 3600.0
"""Seconds after which a run that writes walks the directory even when the
stamp says it is well under the bound: two runs at once may each add their
writes to the same old stamp, and the last one's write wins."""


class Store:
    """One cache directory; `problem` says why it cannot be written (then it is not).

    A plain class, not a dataclass: it is made at every run with the cache on,
    and a dataclass compiles its methods at import (start-up, issue 11 item 4)."""

    def __init__(self, directory: str, max_bytes: int = MAX_BYTES) -> None:
        self.directory = directory
        self.max_bytes = max_bytes
        self.problem: str | None = None
        self.written = 0
        """Bytes written since the size was last accounted for (`prune`)."""

    def open(self) -> None:
        """Create the directory with its `.gitignore` and CACHEDIR.TAG (kept if there)."""
        try:
            os.makedirs(self.directory, exist_ok=True)
            for name, text in ((".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)):
                path = os.path.join(self.directory, name)
                if not os.path.isfile(path):
                    self._write_file(path, text.encode())
            if not os.access(self.directory, os.W_OK | os.X_OK):
                raise PermissionError(13, "Permission denied")
        except OSError as error:
            self.problem = f"cannot write the cache in {self.directory}: {error.strerror or error}"

    def path(self, kind: str, key: str) -> str:
        return os.path.join(self.directory, kind, key[:2], key)

    def get(self, kind: str, key: str) -> bytes | None:
        """The entry's payload, or None: missing, unreadable, or not a whole entry of ours."""
        try:
            with open(self.path(kind, key), "rb") as handle:
                data = handle.read()
        except OSError:
            return None
        header = MAGIC + key.encode() + b"\n"
        return data[len(header) :] if data.startswith(header) else None

    def put(self, kind: str, key: str, payload: bytes) -> None:
        """Write an entry atomically; a failure costs the entry, never the run."""
        if self.problem is not None:
            return
        data = MAGIC + key.encode() + b"\n" + payload
        try:
            self._write_file(self.path(kind, key), data)
        except OSError:
            return
        self.written += len(data)

    def _write_file(self, target: str, data: bytes) -> None:
        folder = os.path.dirname(target)
        try:
            handle, temporary = _temporary(folder)
        except FileNotFoundError:
            if folder == self.directory:
                raise
            if not os.path.isdir(self.directory):  # deleted mid-run: made again, tagged
                self.open()
            os.makedirs(folder, exist_ok=True)
            handle, temporary = _temporary(folder)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def prune(self) -> None:
        """Keep the cache under `max_bytes`: after a run that wrote, add its writes
        to the size stamp, and when that may pass the bound (or the stamp is
        missing, garbled or old) walk the directory and delete the entries
        written longest ago (a hit on a file entry rewrites nothing, so this is
        by age of the result). The stamp overcounts an entry written again
        (then the walk comes early), never undercounts one run's writes."""
        if not self.written:
            return
        written, self.written = self.written, 0
        stamp = os.path.join(self.directory, SIZE_STAMP)
        size, walked = _read_stamp(stamp)
        now = time.time()
        if size is not None and size + written <= self.max_bytes and 0 <= now - walked < WALK_EVERY:
            size, now = size + written, walked
        else:
            size = self._walk_and_prune()
        with contextlib.suppress(OSError):
            self._write_file(stamp, f"{size} {now}\n".encode())

    def _walk_and_prune(self) -> int:
        """Delete the oldest entries while over the bound; the bytes left."""
        entries: list[tuple[int, int, str]] = []
        total = 0
        for folder, _, names in os.walk(self.directory):
            if folder == self.directory:
                continue  # .gitignore, CACHEDIR.TAG, the size stamp
            for name in names:
                path = os.path.join(folder, name)
                try:
                    found = os.stat(path)
                except OSError:
                    continue
                total += found.st_size
                entries.append((found.st_mtime_ns, found.st_size, path))
        if total <= self.max_bytes:
            return total
        entries.sort()
        for _, size, path in entries:
            if total <= self.max_bytes * PRUNED_TO:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size
        return total


_CREATE = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)
"""A temporary file's flags, `tempfile.mkstemp`'s: made here, never followed."""


def _temporary(folder: str) -> tuple[int, str]:
    """A new file of our own in `folder` (open for writing, readable by us alone),
    as `tempfile.mkstemp` makes one: a random name, created exclusively, so two
    runs (or threads) writing at once never share one. Not `tempfile` itself:
    importing it (and `random`) costs a run with the cache on ~1 ms."""
    while True:
        path = os.path.join(folder, f".tmp-{os.urandom(8).hex()}")
        try:
            return os.open(path, _CREATE, 0o600), path
        except FileExistsError:
            continue


def _read_stamp(path: str) -> tuple[int | None, float]:
    """The size and walk time a stamp records ((None, 0): none, or not one of ours)."""
    try:
        with open(path, "rb") as handle:
            size, walked = handle.read(100).split()
        return int(size), float(walked)
    except (OSError, ValueError):
        return None, 0.0
