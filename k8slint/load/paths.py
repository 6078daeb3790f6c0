"""Resolved paths (symlinks followed) for many files of few directories.

`os.path.realpath` checks every component of a path with `lstat`: for the
corpus's 1,900 files, ten components deep, that was 20,000 system calls per
pass, and a run resolved each file several times (discovery, the walk's
containment check, the engine's identity of a file). Here a directory is
resolved once; a file then costs one `lstat` (is it a symlink?).
"""

from __future__ import annotations

import os


class RealPaths:
    """`os.path.realpath`, with each directory's resolution remembered."""

    def __init__(self) -> None:
        self._directories: dict[str, str] = {}

    def of(self, path: str) -> str:
        """What `os.path.realpath(path)` returns (for the directory as it is now)."""
        directory, name = os.path.split(path)
        if name in ("", ".", "..") or not directory:
            return os.path.realpath(path)
        real = self._directories.get(directory)
        if real is None:
            real = self._directories[directory] = os.path.realpath(directory)
        joined = os.path.join(real, name)
        return os.path.realpath(joined) if os.path.islink(joined) else joined
