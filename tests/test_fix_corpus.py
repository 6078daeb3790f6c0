"""`--fix` on a copy of the corpus's files that have a safe fix: each is rewritten,
a second run changes nothing, and every rewritten object validates."""

from __future__ import annotations

import os
import shutil

from click.testing import CliRunner
from support import lint_paths, shared

from k8slint.cli import cli
from k8slint.engine.registry import load_rules

FIXING_RULES = [
    "api-deprecated",
    "selector-missing",
    "pod-field-in-container",
    "container-field-in-pod",
    "pod-security-field-in-container",
    "container-security-field-in-pod",
    "pod-spec-misplaced",
]
"""The rules with safe fixes: `--fix` runs with only these, to keep the test fast."""


def test_fix_on_a_copy_of_the_corpus(tmp_path, raw_corpus):
    corpus = shared("corpus")
    # The session's raw corpus lint (every rule), as --fix lints raw while it fixes: a
    # built base's finding carries no fix. With every rule on, these rules find what
    # they find alone, as long as no rule explains (hides) their findings.
    assert not any(set(rule.explains) & set(FIXING_RULES) for rule in load_rules().values())
    files = sorted(
        {
            f.file
            for f in raw_corpus.findings
            if f.rule in FIXING_RULES and f.fix is not None and f.fix.safety == "safe"
        }
    )
    assert files, "the corpus has removed apiVersions with mechanical migrations"
    copy = tmp_path / "corpus"
    for file in files:
        target = copy / os.path.relpath(file, corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(file, target)
    before = {path: path.read_text() for path in copy.rglob("*") if path.is_file()}

    CliRunner().invoke(
        cli, ["lint", "--fix", "--quiet", "--select", ",".join(FIXING_RULES), str(copy)]
    )

    assert [path for path, text in before.items() if path.read_text() == text] == []
    second = CliRunner().invoke(cli, ["lint", "--diff", "--quiet", str(copy)])
    assert second.output == "" and second.exit_code == 0
    after = lint_paths([str(copy)], ["schema", *FIXING_RULES])
    assert [(f.file, f.line, f.rule) for f in after.findings if f.rule != "api-deprecated"] == []
    unfixed = [f for f in after.findings if f.fix is not None]
    assert unfixed == []
