"""kube-score's own fixtures for its reference checks, linted one file at a
time as kube-score's tests do, must get kube-score's verdict (EXPECTATIONS.md:
CRITICAL means a finding, ALL_OK none), except where listed with the reason."""

from __future__ import annotations

import pytest
from support import SHARED, lint_paths

SUITE = SHARED / "peer-suites" / "kube-score"

RULE_FOR_CHECK = {
    "service-targets-pod": "service-selector-no-match",
    "ingress-targets-service": "ingress-backend-missing",
    "networkpolicy-targets-pod": "network-policy-selector-no-match",
    "horizontalpodautoscaler-has-target": "hpa-target-missing",
}

DISAGREEMENTS = {
    "ingress-v1-invalid-backend.yaml": (
        "a lone Ingress with no Service in the file: the policy says nothing when the "
        "run holds no candidate (pre-commit with --context judges it against the tree); "
        "its v1beta1 fields in a networking.k8s.io/v1 object are schema findings"
    ),
    "ingress_issue363.yaml": (
        "serviceName/servicePort are v1beta1 fields; read as such they name the "
        "Service and port that the file defines. In a networking.k8s.io/v1 Ingress "
        "they are unknown fields, which the schema rule reports"
    ),
}


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for line in (SUITE / "EXPECTATIONS.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.split("|")]
        if len(cells) > 5 and cells[3] in RULE_FOR_CHECK:
            cases.append((cells[1], RULE_FOR_CHECK[cells[3]], cells[4]))
    return cases


CASES = _cases()


def test_the_expectations_name_the_fixtures_of_all_four_checks():
    assert len(CASES) == 35
    assert {rule for _, rule, _ in CASES} == set(RULE_FOR_CHECK.values())
    assert {verdict for _, _, verdict in CASES} == {"CRITICAL", "ALL_OK"}


@pytest.mark.parametrize(("name", "rule", "verdict"), CASES, ids=[c[0] for c in CASES])
def test_kube_score_fixture_verdict(name, rule, verdict):
    result = lint_paths([str(SUITE / name)], [rule])
    assert not result.internal_errors
    found = [f for f in result.findings if f.rule == rule]
    agrees = bool(found) == (verdict == "CRITICAL")
    assert agrees != (name in DISAGREEMENTS), (name, verdict, [f.message for f in found])


@pytest.mark.parametrize("name", sorted(DISAGREEMENTS))
def test_disagreements_are_schema_findings(name):
    found = lint_paths([str(SUITE / name)], ["schema"]).findings
    assert any("serviceName" in f.message for f in found), [f.message for f in found]
