"""Every rule file is complete and its examples behave as documented."""

from __future__ import annotations

import pytest
from support import lint_text

from k8slint.checks.api import find_check
from k8slint.engine.registry import LOADER_CHECK, RuleFileError, load_rules, parse_rule
from k8slint.kube.openapi import parse_version

RULES = sorted(load_rules())


def _examples_version(rule):
    return parse_version(rule.examples_version) if rule.examples_version else None


@pytest.mark.parametrize("rule_id", RULES)
def test_rule_is_complete_and_bound(rule_id):
    rule = load_rules()[rule_id]
    assert rule.summary and rule.principle and rule.fix
    assert rule.category
    if rule.check != LOADER_CHECK:
        assert find_check(rule.check).function


BUILT_ON_DISK = {"kustomize-build"}
"""Rules whose examples are kustomizations, built from a directory: tested in test_kustomize."""


@pytest.mark.parametrize("rule_id", sorted(set(RULES) - BUILT_ON_DISK))
def test_bad_example_fires(rule_id):
    rule = load_rules()[rule_id]
    result = lint_text(rule.examples["bad"], [rule_id], _examples_version(rule))
    assert [f.rule for f in result.findings] and {f.rule for f in result.findings} == {rule_id}


@pytest.mark.parametrize("rule_id", sorted(set(RULES) - BUILT_ON_DISK))
def test_good_example_is_clean(rule_id):
    rule = load_rules()[rule_id]
    result = lint_text(rule.examples["good"], [rule_id], _examples_version(rule))
    assert result.findings == []
    assert not result.internal_errors


def test_incomplete_rule_file_is_refused():
    with pytest.raises(RuleFileError, match="missing fix"):
        parse_rule(
            {
                "id": "x",
                "severity": "error",
                "summary": "s",
                "principle": "p",
                "check": "c.d",
                "examples": {"bad": "a", "good": "b"},
            },
            "x.yaml",
        )


@pytest.mark.parametrize("rule_id", RULES)
def test_explained_rules_exist(rule_id):
    """`explains:` silences another rule's finding at the same node: a typo would
    silently silence nothing."""
    assert set(load_rules()[rule_id].explains) <= set(load_rules())
