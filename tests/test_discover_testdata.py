"""`testdata` directories hold fixtures and golden files, not what gets applied:
a directory walk skips them with one notice each; naming one lints it."""

from __future__ import annotations

from k8slint.load.discover import discover

SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n"


def test_a_walk_skips_testdata_with_one_notice_and_naming_it_lints_it(tmp_path):
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "web.yaml").write_text(SERVICE)
    golden = tmp_path / "pkg" / "render" / "testdata"
    (golden / "nested").mkdir(parents=True)
    (golden / "a.yaml").write_text(SERVICE)
    (golden / "nested" / "b.yaml").write_text(SERVICE)

    walked = discover([str(tmp_path)])
    assert [f.display for f in walked.files] == [str(tmp_path / "deploy" / "web.yaml")]
    assert [path for path, _ in walked.notices] == [str(golden)]
    assert "test data directory: skipped" in walked.notices[0][1]

    named = discover([str(golden)])
    assert sorted(f.display for f in named.files) == [
        str(golden / "a.yaml"),
        str(golden / "nested" / "b.yaml"),
    ]
    assert named.notices == []
    one_file = discover([str(golden / "a.yaml")])
    assert [f.display for f in one_file.files] == [str(golden / "a.yaml")]
