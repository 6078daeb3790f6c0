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
import tempfile
from dataclasses import dataclass, field

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


@dataclass
class Store:
    """One cache directory; `problem` says why it cannot be written (then it is not)."""

    directory: str
    max_bytes: int = MAX_BYTES
    problem: str | None = None
    wrote: bool = field(default=False, init=False)

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
        try:
            self._write_file(self.path(kind, key), MAGIC + key.encode() + b"\n" + payload)
        except OSError:
            return
        self.wrote = True

    def _write_file(self, target: str, data: bytes) -> None:
        folder = os.path.dirname(target)
        try:
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        except FileNotFoundError:
            if folder == self.directory:
                raise
            if not os.path.isdir(self.directory):  # deleted mid-run: made again, tagged
                self.open()
            os.makedirs(folder, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            raise

    def prune(self) -> None:
        """Keep the cache under `max_bytes`: delete the entries written longest ago
        (a hit on a file entry rewrites nothing, so this is by age of the result)."""
        if not self.wrote:
            return
        entries: list[tuple[int, int, str]] = []
        total = 0
        for folder, _, names in os.walk(self.directory):
            for name in names:
                path = os.path.join(folder, name)
                if folder == self.directory:
                    continue  # .gitignore, CACHEDIR.TAG
                try:
                    found = os.stat(path)
                except OSError:
                    continue
                total += found.st_size
                entries.append((found.st_mtime_ns, found.st_size, path))
        if total <= self.max_bytes:
            return
        entries.sort()
        for _, size, path in entries:
            if total <= self.max_bytes * PRUNED_TO:
                break
            try:
                os.unlink(path)
            except OSError:
                continue
            total -= size
