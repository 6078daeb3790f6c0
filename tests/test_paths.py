"""`RealPaths.of` is `os.path.realpath`, directory resolutions remembered."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from k8slint.load.paths import RealPaths

SPELLINGS = [
    "a/b/f.yaml",
    "a/g.yaml",  # a symlink to a file
    "lnk/f.yaml",  # through a symlinked directory
    "lnk/../b/f.yaml",  # `..` after a symlink: its target's parent, not the link's
    "lnk/../lnk/f.yaml",
    "a/loop.yaml",  # a symlink loop
    "a/missing/x.yaml",
    "lnk/..",
    "lnk/.",
    "f.yaml",
]


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "f.yaml").write_text("")
    (tmp_path / "lnk").symlink_to(tmp_path / "a" / "b")
    (tmp_path / "a" / "g.yaml").symlink_to("b/f.yaml")
    (tmp_path / "a" / "loop.yaml").symlink_to("loop.yaml")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_same_as_realpath(tree: Path, spelling: str):
    paths = RealPaths()
    for path in (spelling, str(tree / spelling), f"./{spelling}"):
        assert paths.of(path) == os.path.realpath(path)
        assert paths.of(path) == os.path.realpath(path)  # from the remembered directory
