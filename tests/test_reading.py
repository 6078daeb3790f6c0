"""Reading a regular file: exactly its bytes up to the limit, `TooLarge` past it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from k8slint.load import reading
from k8slint.load.reading import TooLarge, read_limited

LIMIT = 10


@pytest.mark.parametrize("size", [0, 1, LIMIT - 1, LIMIT])
def test_up_to_the_limit_the_whole_file(tmp_path: Path, size: int):
    path = tmp_path / "f.yaml"
    path.write_bytes(bytes(range(65, 65 + size)))
    assert read_limited(str(path), LIMIT) == path.read_bytes()


@pytest.mark.parametrize("size", [LIMIT + 1, 3 * LIMIT])
def test_past_the_limit_too_large(tmp_path: Path, size: int):
    path = tmp_path / "f.yaml"
    path.write_bytes(b"x" * size)
    with pytest.raises(TooLarge):
        read_limited(str(path), LIMIT)


@pytest.mark.parametrize(("written", "limit"), [(25, 100), (25, 20)])
def test_a_file_longer_than_its_announced_size(tmp_path, monkeypatch, written, limit):
    """A file that grew after `fstat` (or a /proc file, which announces 0 bytes):
    read to its end in chunks, and still refused past the limit."""
    path = tmp_path / "f.yaml"
    path.write_bytes(b"y" * written)
    real_fstat = os.fstat

    def announcing_less(descriptor: int) -> os.stat_result:
        status = real_fstat(descriptor)
        return os.stat_result((status.st_mode, *status[1:6], 3, *status[7:]))

    monkeypatch.setattr(reading.os, "fstat", announcing_less)
    monkeypatch.setattr(reading, "_CHUNK", 4)
    if written > limit:
        with pytest.raises(TooLarge):
            read_limited(str(path), limit)
    else:
        assert read_limited(str(path), limit) == b"y" * written
