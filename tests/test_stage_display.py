"""`KustomizeStage.display`: a file a kustomization reads is shown as the user
named it, whichever spelling (a symlinked directory, `..`) led to it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from k8slint.kube.filekinds import FileClassifier
from k8slint.kustomize.stage import KustomizeStage
from k8slint.load.discover import InputFile


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "kustomization.yaml").write_text("resources: [app.yaml]\n")
    (tmp_path / "base" / "app.yaml").write_text("kind: ConfigMap\n")
    (tmp_path / "link").symlink_to(tmp_path / "base")
    (tmp_path / "other.yaml").write_text("kind: ConfigMap\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ("base/app.yaml", "named/app.yaml"),  # as the user named it
        ("link/app.yaml", "named/app.yaml"),  # through a symlinked directory
        ("link/../base/app.yaml", "named/app.yaml"),
        ("other.yaml", "other.yaml"),  # not named: relative to here
        ("link/missing.yaml", os.path.join("base", "missing.yaml")),
    ],
)
def test_display_follows_symlinks_to_the_named_file(tree: Path, asked: str, shown: str) -> None:
    app = tree / "base" / "app.yaml"
    named = InputFile("named/app.yaml", path=str(app), real=os.path.realpath(app))
    stage = KustomizeStage(None, [named], [], FileClassifier().kustomization)
    assert stage.display(str(tree / asked)) == shown
    assert stage.display(str(tree / asked)) == shown  # the remembered answer
