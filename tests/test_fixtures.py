"""Data-driven rule tests: each fixture is linted with only its rule enabled and
must yield exactly the findings its `# expect:` comments name, line by line."""

from __future__ import annotations

import pytest
from support import (
    FIXTURES,
    actual_findings,
    expected_findings,
    fixture_case_files,
    fixture_rule,
    fixture_version,
    lint_paths,
)

from k8slint.engine.registry import load_rules

CASES = sorted(
    path
    for path in FIXTURES.iterdir()
    if path.is_dir() or path.suffix in (".yaml", ".yml", ".json")
)


@pytest.mark.parametrize("case", CASES, ids=lambda path: path.name)
def test_fixture(case):
    rule = fixture_rule(case)
    assert rule in load_rules(), f"{case.name}: no rule {rule!r}"
    files = fixture_case_files(case)
    result = lint_paths([str(p) for p in files], [rule], fixture_version(files))
    assert not result.internal_errors
    expected = expected_findings(files)
    expected = +type(expected)({k: v for k, v in expected.items() if k[2] == rule})
    actual = actual_findings(result)
    missing = expected - actual
    unexpected = actual - expected
    messages = {(f.file, f.line, f.rule): f.message for f in result.findings}
    assert not missing and not unexpected, (
        f"missing: {sorted(missing)}\nunexpected: {[(k, messages[k]) for k in sorted(unexpected)]}"
    )


def test_every_rule_has_a_fixture_with_expectations():
    covered = {fixture_rule(case) for case in CASES}
    assert set(load_rules()) <= covered
    for case in CASES:
        assert expected_findings(fixture_case_files(case)), f"{case.name} expects nothing"
