"""Discovery says which files it found regular (`InputFile.regular`), so that the
engine does not `stat` them again to classify them."""

from __future__ import annotations

import os

from support import engine_for, web_pod

from k8slint.kube import filekinds
from k8slint.load.discover import discover


def test_walked_and_named_files_are_regular_a_broken_symlink_is_not(tmp_path):
    (tmp_path / "pod.yaml").write_text(web_pod())
    os.symlink(tmp_path / "gone.yaml", tmp_path / "broken.yaml")
    walked = {
        os.path.basename(item.display): item.regular for item in discover([str(tmp_path)]).files
    }
    assert walked == {"pod.yaml": True, "broken.yaml": False}
    named = discover([str(tmp_path / "pod.yaml")]).files
    assert [item.regular for item in named] == [True]


def test_a_file_discovery_found_regular_is_not_asked_again(tmp_path, monkeypatch):
    (tmp_path / "pod.yaml").write_text(web_pod())
    files = discover([str(tmp_path)]).files
    asked: list[str] = []
    real_isfile = os.path.isfile

    def counting_isfile(path):
        asked.append(str(path))
        return real_isfile(path)

    monkeypatch.setattr(filekinds.os.path, "isfile", counting_isfile)
    result = engine_for(kustomize_command="none").lint(files)
    assert result.objects == 1
    assert str(tmp_path / "pod.yaml") not in asked
    # Without discovery's word, the file is asked about (the check above can fail).
    engine_for(kustomize_command="none").lint([files[0]._replace(regular=False)])
    assert str(tmp_path / "pod.yaml") in asked


def test_a_walk_resolves_as_realpath_and_enters_no_symlinked_directory(tmp_path):
    """Discovery resolves a walked file from its directory's resolved path (one
    `scandir` a directory, no `realpath` a file): the same paths, in the same
    order, as `os.walk` and `os.path.realpath` give."""
    real = tmp_path / "real"
    (real / "app" / "deep").mkdir(parents=True)
    (real / "app" / "deep" / "b.yaml").write_text(web_pod())
    (real / "app" / "a.yaml").write_text(web_pod())
    (real / "app" / ".hidden").mkdir()  # not walked
    (real / "app" / ".hidden" / "c.yaml").write_text(web_pod())
    os.symlink(real / "app" / ".hidden", real / "app" / "linked")  # listed, not entered
    os.symlink(real / "app" / "a.yaml", real / "app" / "z.yaml")
    os.symlink(real, tmp_path / "via")  # the tree itself reached through a symlink
    found = discover([str(tmp_path / "via" / "app")]).files
    expected = []
    for directory, subdirs, names in os.walk(tmp_path / "via" / "app"):
        subdirs[:] = sorted(name for name in subdirs if not name.startswith("."))
        expected += [os.path.join(directory, name) for name in sorted(names)]
    first = {}  # a file reached twice (z.yaml is a.yaml) is linted once, at its first path
    for path in expected:
        first.setdefault(os.path.realpath(path), path)
    assert [(item.path, item.real) for item in found] == [(p, r) for r, p in first.items()]
    assert [os.path.basename(item.path) for item in found] == ["a.yaml", "b.yaml"]
    assert [os.path.basename(path) for path in expected] == ["a.yaml", "z.yaml", "b.yaml"]
