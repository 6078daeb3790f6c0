"""api-validation against the peers' fixtures that expect an API rejection
(kube-score's and kube-linter's, in ../shared/peer-suites), and against the
examples of issue 14: each gets exactly one finding at its field."""

from __future__ import annotations

import pytest
from support import FIXTURES, SHARED, lint_paths

from k8slint.model import format_path

PEERS = SHARED / "peer-suites"
KUBE_SCORE = PEERS / "kube-score"
RULE = "api-validation"

pytestmark = pytest.mark.skipif(
    not PEERS.is_dir(), reason="../shared/peer-suites is not beside the repo"
)


def _found(path, rules=(RULE,)):
    result = lint_paths([str(path)], list(rules))
    assert not result.internal_errors
    return sorted((f.rule, format_path(f.path)) for f in result.findings)


TEMPLATE = "spec.jobTemplate.spec.template.spec"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # kube-score CRITICAL: the API rejects each of these
        (
            "pod-container-ports-name-too-long.yaml",
            [(RULE, "spec.template.spec.containers[0].ports[0].name")],
        ),
        ("cronjob-batchv1-restartpolicy-not-set.yaml", [(RULE, TEMPLATE)]),
        (
            "cronjob-batchv1beta1-restartpolicy-not-set.yaml",
            [("api-deprecated", "apiVersion"), (RULE, TEMPLATE)],
        ),
        # `RestartPolicy: Once` is an unknown field (schema's, with the fix), and the
        # unset restartPolicy behind it is not reported twice
        ("cronjob-batchv1-restartpolicy-invalid.yaml", [("schema", f"{TEMPLATE}.RestartPolicy")]),
        # batch/v1beta1 is not served any more: api-deprecated's finding; the body is
        # the v1 one's, so api-validation still judges it
        (
            "cronjob-batchv1beta1-restartpolicy-invalid.yaml",
            [("api-deprecated", "apiVersion")],
        ),
        (
            "pod-topology-spread-constraints-invalid-maxskew.yaml",
            [(RULE, "spec.topologySpreadConstraints[0].maxSkew")],
        ),
        (
            "pod-topology-spread-constraints-invalid-mindomains.yaml",
            [(RULE, "spec.topologySpreadConstraints[0].minDomains")],
        ),
        (
            "pod-topology-spread-constraints-invalid-whenunsatisfiable.yaml",
            [(RULE, "spec.topologySpreadConstraints[0].whenUnsatisfiable")],
        ),
        # a required field the schema states: schema's finding
        (
            "pod-topology-spread-constraints-no-topologykey.yaml",
            [("schema", "spec.topologySpreadConstraints[0].topologyKey")],
        ),
        # kube-score ALL_OK
        ("cronjob-batchv1-restartpolicy-valid.yaml", []),
        ("cronjob-batchv1beta1-restartpolicy-valid.yaml", [("api-deprecated", "apiVersion")]),
        ("pod-topology-spread-constraints-one-constraint.yaml", []),
        # kube-score CRITICAL, but the API accepts a constraint without labelSelector
        # (it then counts no pods): not an API rejection, so not this rule's
        ("pod-topology-spread-constraints-no-labelselector.yaml", []),
    ],
)
def test_kube_score(name, expected):
    assert _found(KUBE_SCORE / name, (RULE, "schema", "api-deprecated")) == sorted(expected)


def test_kube_linter_invalid_target_ports():
    """kube-linter reports 4 objects' ports: the two bad Service targetPorts and the
    two bad container port names. The API also rejects containerPort 123456 (kube-linter
    does not check numbers), the unnamed ports of a multi-port Service, a Service
    of type ClusterIP without ports, and containers without an image (the fixture is
    no Kustomize input, so nothing will supply one)."""
    found = _found(PEERS / "kube-linter" / "tests" / "checks" / "invalid-target-ports.yaml")
    ports = "spec.template.spec.containers[0].ports"
    assert found == sorted(
        [
            (RULE, "spec.template.spec.containers[0]"),  # no image, in each Deployment
            (RULE, "spec.template.spec.containers[0]"),
            (RULE, "spec.template.spec.containers[0]"),
            (RULE, "spec"),  # Service empty-ports: no ports
            (RULE, "spec.ports[0]"),  # four unnamed ports in one Service
            (RULE, "spec.ports[1]"),
            (RULE, "spec.ports[2]"),
            (RULE, "spec.ports[2].targetPort"),  # 123456 (kube-linter)
            (RULE, "spec.ports[3]"),
            (RULE, "spec.ports[3].targetPort"),  # 16 characters (kube-linter)
            (RULE, f"{ports}[1].name"),  # 16 characters (kube-linter)
            (RULE, f"{ports}[2].name"),  # no letter (kube-linter)
            (RULE, f"{ports}[2].containerPort"),  # 123456
        ]
    )


def test_issue_examples_get_one_finding_each_at_their_field():
    found = _found(FIXTURES / "api-validation.yaml")
    c0 = "spec.containers[0]"
    assert found == sorted(
        (RULE, path)
        for path in [
            "spec.restartPolicy",  # restartPolicy: Once
            f"{c0}.imagePullPolicy",  # Sometimes
            f"{c0}.ports[0].name",  # 16 characters
            f"{c0}.ports[0].containerPort",  # 123456
            f"{c0}.ports[0].protocol",  # XTCP
            f"{c0}.resources.requests.memory",  # 1GB
            "spec.containers[1]",  # no image
            "spec.topologySpreadConstraints[0].maxSkew",  # 0
            "spec.topologySpreadConstraints[0].whenUnsatisfiable",  # DoNotSCHEDULE
            "spec.type",  # Service type Foo
            "spec.template.spec",  # Job restartPolicy unset
            "spec.maxUnavailable",  # PDB with both
        ]
    )
