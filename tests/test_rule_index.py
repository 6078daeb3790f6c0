"""`rules/index.json`: the rule and preset files' data, parsed once per change of their text.

A run takes the index only when it was made from the files as they are; a
stale index (a rule edited, the index not regenerated) is never used, and this
file's first test fails until it is regenerated.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from k8slint.engine import rule_index
from k8slint.engine.registry import rules_dir


def test_the_index_is_current():
    with open(Path(rules_dir()) / rule_index.INDEX_NAME, encoding="utf-8") as handle:
        written = json.load(handle)
    assert written == rule_index.index_data(), (
        "rules/index.json is stale: run `python -m k8slint.engine.rule_index`"
    )


@pytest.fixture
def rules_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the rules directory, with its index, that `rule_index` reads."""
    copy = tmp_path / "rules"
    shutil.copytree(rules_dir(), copy)
    monkeypatch.setattr(rule_index, "rules_dir", lambda: str(copy))
    return copy


def _documents() -> dict:
    return rule_index.documents.__wrapped__()  # not the cached answer of this process


def test_a_current_index_is_what_a_run_reads(rules_copy: Path):
    """The files are not parsed when the index matches them: what the index
    says (here altered under its digest) is what a run gets."""
    index_path = rules_copy / rule_index.INDEX_NAME
    index = json.loads(index_path.read_text(encoding="utf-8"))
    index["documents"]["host-port.yaml"]["summary"] = "from the index"
    index_path.write_text(json.dumps(index), encoding="utf-8")
    assert _documents()["host-port.yaml"]["summary"] == "from the index"


@pytest.mark.parametrize("edit", ["rule", "preset", "new rule", "index missing", "index garbled"])
def test_a_stale_or_broken_index_is_not_used(rules_copy: Path, edit: str):
    index_path = rules_copy / rule_index.INDEX_NAME
    if edit == "rule":
        path = rules_copy / "host-port.yaml"
        path.write_text(path.read_text().replace("summary:", "summary: Edited.", 1))
    elif edit == "preset":
        path = rules_copy / "presets" / "rbac.yaml"
        path.write_text(path.read_text() + "\n# edited\n")
    elif edit == "new rule":
        shutil.copy(rules_copy / "host-port.yaml", rules_copy / "host-port-2.yaml")
    elif edit == "index missing":
        index_path.unlink()
    else:
        index_path.write_text('{"digest": ', encoding="utf-8")
    parsed = rule_index.parse_texts(rule_index.read_texts())
    assert _documents() == parsed
    if edit == "rule":
        assert parsed["host-port.yaml"]["summary"].startswith("Edited.")
    if edit == "new rule":
        assert "host-port-2.yaml" in parsed
