"""Rule docs are generated from rules/*.yaml; the checked-in copies must not go stale."""

from __future__ import annotations

import re
import shutil

import yaml
from click.testing import CliRunner
from support import REPO

from k8slint.cli import cli
from k8slint.config.file import load_config
from k8slint.engine.registry import load_rules
from k8slint.report import rule_docs as docs


def test_readme_table_and_rule_pages_are_up_to_date():
    stale = docs.stale(REPO)
    assert not stale, (
        f"stale rule docs: {[str(p.relative_to(REPO)) for p in stale]}; "
        "run `python -m k8slint.report.rule_docs`"
    )


def test_check_mode_reports_and_write_mode_repairs(tmp_path):
    shutil.copy(REPO / "README.md", tmp_path / "README.md")
    assert docs.main(["--check", str(tmp_path)]) == 1  # no pages yet
    assert docs.main([str(tmp_path)]) == 0
    assert docs.stale(tmp_path) == []
    page = tmp_path / "docs" / "rules" / "yaml-syntax.md"
    page.write_text(page.read_text() + "hand edit\n")
    orphan = tmp_path / "docs" / "rules" / "removed-rule.md"
    orphan.write_text("# removed-rule\n")
    assert set(docs.stale(tmp_path)) == {page, orphan}
    assert set(docs.write(tmp_path)) == {page, orphan}
    assert not orphan.exists()
    assert docs.stale(tmp_path) == []


def test_readme_outside_the_markers_is_kept(tmp_path):
    readme = tmp_path / "README.md"
    old_table = f"{docs.TABLE_START}\nold table\n{docs.TABLE_END}"
    readme.write_text(f"# Title\n\nintro\n\n{old_table}\n\nend\n")
    docs.write(tmp_path)
    text = readme.read_text()
    assert text.startswith("# Title\n\nintro\n\n")
    assert text.endswith(f"{docs.TABLE_END}\n\nend\n")
    assert "old table" not in text
    assert "| [`yaml-syntax`](docs/rules/yaml-syntax.md) | error |" in text


def test_generator_handles_any_number_of_rules(tmp_path):
    base = load_rules()["yaml-syntax"]
    many = [
        base._replace(id=f"rule-{n:03}", summary=f"does | thing {n}", params={"limit": n})
        for n in range(120)
    ]
    (tmp_path / "README.md").write_text(f"{docs.TABLE_START}\n{docs.TABLE_END}\n")
    files = docs.generated_files(tmp_path, many)
    assert len(files) == 121
    table = files[tmp_path / "README.md"]
    assert table.count("\n| [`rule-") == 120
    assert "does \\| thing 7" in table  # a pipe must not split the cell
    page = files[tmp_path / "docs" / "rules" / "rule-007.md"]
    assert "## Options (defaults)" in page and "limit: 7" in page
    assert docs.rules_table([]).count("\n") == 2


def test_rules_markdown_is_the_full_reference():
    result = CliRunner().invoke(cli, ["rules", "--format", "markdown"])
    assert result.exit_code == 0
    assert result.output.startswith("# k8slint rules\n")
    for rule in load_rules().values():
        assert f"\n## {rule.id}\n" in result.output
        assert rule.principle.splitlines()[0] in result.output


def test_explain_shows_the_same_sections_as_the_pages():
    rule = load_rules()["pod-field-in-container"]
    output = CliRunner().invoke(cli, ["explain", rule.id]).output
    page = docs.rule_markdown(rule)
    for section in docs.rule_sections(rule):
        assert f"{section.title}:" in output
        assert f"## {section.title}" in page


def _readme_yaml_blocks() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```yaml\n(.*?)```", text, flags=re.DOTALL)


def test_readme_yaml_examples_parse():
    blocks = _readme_yaml_blocks()
    assert len(blocks) >= 4
    for block in blocks:
        yaml.safe_load(block)


def test_readme_config_example_is_a_valid_config(tmp_path):
    (example,) = [block for block in _readme_yaml_blocks() if "workload-kinds:" in block]
    (tmp_path / "platform").mkdir()
    (tmp_path / "platform" / "k8slint.yaml").write_text("{}\n")
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / ".k8slint.yaml").write_text(example)
    config = load_config(str(tmp_path / "repo" / ".k8slint.yaml"), load_rules())
    assert ("argoproj.io", "Rollout") in config.workload_kinds
