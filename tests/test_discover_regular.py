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
