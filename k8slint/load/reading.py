"""Reading input bytes without trusting what a path names.

A path in a linted tree can name a FIFO (opening it blocks until a writer
comes, maybe never), a device (`/dev/zero` never ends; `stat` says size 0),
or a file far larger than memory. Every read of user input (manifests,
stdin, config and baseline files) goes through here: the file is opened
without blocking, checked with `fstat` on the opened descriptor (not on the
name, which could change in between), and read only up to a limit.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO


class NotRegularFile(OSError):
    """The path names a FIFO, device, socket or directory, not a file."""


class TooLarge(OSError):
    """The input is over its size limit; `size` is what was seen (at least limit + 1)."""

    def __init__(self, size: int) -> None:
        super().__init__(f"over the size limit ({size} bytes or more)")
        self.size = size


def kind_of(mode: int) -> str:
    """What a non-regular file is, in the words `ls -l` users know."""
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a directory"
    return "not a regular file"


def read_limited(path: str, limit: int, streams_allowed: bool = False) -> bytes:
    """The bytes of `path`, at most `limit` of them.

    Raises `TooLarge` past the limit, `NotRegularFile` for anything but a
    regular file (unless `streams_allowed`: a pipe or character device named
    on purpose, such as `<(helm template .)`, is read up to the limit), and
    `OSError` when it cannot be opened or read.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        status = os.fstat(descriptor)
        mode = status.st_mode
        if stat.S_ISREG(mode):
            if status.st_size > limit:
                raise TooLarge(status.st_size)
            return _read_regular(descriptor, status.st_size, limit)
        if streams_allowed and (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
            os.set_blocking(descriptor, True)
        else:
            raise NotRegularFile(f"{kind_of(mode)}, not a file")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return read_stream(handle, limit)
    finally:
        os.close(descriptor)


_CHUNK = 1 << 20
"""Read size once the announced size is read (a file that grew, /proc's size 0)."""


def _read_regular(descriptor: int, size: int, limit: int) -> bytes:
    """A regular file's bytes, up to `limit` (`TooLarge` past it).

    Reads the size `fstat` announced plus one byte, so a file that grew since is
    read on; a buffered `read(limit + 1)` allocated the whole limit (16 MiB) for
    every file, which was most of the time spent reading the corpus.
    """
    chunks: list[bytes] = []
    total = 0
    request = size + 1
    while total <= limit:
        chunk = os.read(descriptor, min(request, limit + 1 - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        request = _CHUNK
    if total > limit:
        raise TooLarge(total)
    return b"".join(chunks)


def read_stream(handle: BinaryIO, limit: int) -> bytes:
    """Read to the end or to `limit` bytes, whichever comes first (`TooLarge` then)."""
    data = handle.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(len(data))
    return data
