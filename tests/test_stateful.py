"""Stateful applications: claims, claim templates, partitions, workload fields moved
between kinds, and the weight of a StatefulSet's missing per-pod DNS names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import FIXTURES, lint_paths, lint_text

from k8slint.cli import cli
from k8slint.kube.openapi import parse_version

CORRECT_APPLICATION = FIXTURES / "statefulset-service-missing--application" / "correct"

PVC = """\
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
"""

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          volumeMounts:
            - {name: data, mountPath: /data}
      volumes:
        - name: data
          persistentVolumeClaim: {claimName: data}
"""


def _found(result) -> list[tuple[int, str, str]]:
    return [(f.line, f.rule, f.severity) for f in result.findings]


def _lint_json(args: list[str]) -> dict:
    outcome = CliRunner().invoke(cli, ["lint", *args, "--format", "json"])
    assert outcome.exit_code in (0, 1), outcome.output
    return json.loads(outcome.stdout)


def test_a_context_only_claim_counts_as_the_applications(tmp_path, monkeypatch):
    # A directory name no other test uses: kube/index.py caches the absolute
    # directory of a relative path for the whole process, across chdir.
    (tmp_path / "stateful-app").mkdir()
    (tmp_path / "stateful-app" / "deployment.yaml").write_text(DEPLOYMENT, encoding="utf-8")
    (tmp_path / "stateful-app" / "claim.yaml").write_text(PVC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    select = ["--select", "claim-shared-by-replicas"]

    alone = _lint_json(["stateful-app/deployment.yaml", *select])
    assert alone["findings"] == []  # the claim's access modes are unknown

    with_context = _lint_json(
        ["stateful-app/deployment.yaml", "--context", "stateful-app/", *select]
    )
    assert [(f["file"], f["line"], f["rule"]) for f in with_context["findings"]] == [
        ("stateful-app/deployment.yaml", 20, "claim-shared-by-replicas")
    ]
    assert (
        "mount claim data, which requests ReadWriteOnce" in with_context["findings"][0]["message"]
    )

    # The claim itself, linted with the Deployment as context, gets nothing.
    claim_only = _lint_json(["stateful-app/claim.yaml", "--context", "stateful-app/", *select])
    assert claim_only["findings"] == []


def test_a_deployment_turned_into_a_statefulset_by_hand_gets_one_finding_per_field():
    manifest = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  replicas: 1
  minReadySeconds: 5
  revisionHistoryLimit: 3
  progressDeadlineSeconds: 600
  paused: false
  strategy:
    type: Recreate
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: postgres:16.4
"""
    newest = lint_text(manifest)
    assert _found(newest) == [
        (5, "statefulset-service-missing", "info"),  # optional from 1.33; one replica
        (9, "workload-field-misplaced", "error"),
        (10, "workload-field-misplaced", "error"),
        (11, "workload-field-misplaced", "error"),
    ]
    strategy = newest.findings[-1].message
    assert strategy.startswith("spec.strategy is a field of Deployment, not of StatefulSet: ")
    assert "rename it to updateStrategy" in strategy
    # Before 1.33 serviceName is required: said once, by the rule that explains it.
    older = lint_text(manifest, version=parse_version("1.32"))
    assert _found(older) == [
        (5, "statefulset-service-missing", "error"),
        (9, "workload-field-misplaced", "error"),
        (10, "workload-field-misplaced", "error"),
        (11, "workload-field-misplaced", "error"),
    ]


def test_a_statefulset_turned_into_a_deployment_gets_one_finding_per_field():
    manifest = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: db
spec:
  serviceName: db
  podManagementPolicy: Parallel
  updateStrategy:
    type: RollingUpdate
  persistentVolumeClaimRetentionPolicy:
    whenDeleted: Retain
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: postgres:16.4
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
"""
    result = lint_text(manifest)
    assert _found(result) == [
        (6, "workload-field-misplaced", "error"),
        (7, "workload-field-misplaced", "error"),
        (8, "workload-field-misplaced", "error"),
        (10, "workload-field-misplaced", "error"),
        (21, "workload-field-misplaced", "error"),
    ]
    messages = [finding.message for finding in result.findings]
    assert messages[0].startswith("spec.serviceName is a field of StatefulSet, not of Deployment")
    assert messages[2].startswith(
        "spec.updateStrategy is a field of StatefulSet and DaemonSet, not of Deployment: "
        "a Deployment's rollout is set by spec.strategy"
    )
    assert "only a StatefulSet gives each pod claims of its own" in messages[4]


def test_a_mount_of_a_claim_template_is_declared_and_used():
    statefulset = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: postgres:16.4
          volumeMounts:
            - {name: data, mountPath: /data}
  volumeClaimTemplates:
    - metadata: {name: data}
      spec:
        accessModes: [ReadWriteOnce]
        resources: {requests: {storage: 1Gi}}
"""
    rules = ["volume-mount-undeclared", "volume-unused", "claim-template-unmounted"]
    assert _found(lint_text(statefulset, rules)) == []
    unmounted = statefulset.replace("            - {name: data, mountPath: /data}\n", "")
    unmounted = unmounted.replace("          volumeMounts:\n", "")
    # Said once, with its consequence, by the claim-template rule ...
    assert _found(lint_text(unmounted, rules)) == [(17, "claim-template-unmounted", "warning")]
    # ... and by volume-unused where that rule is off.
    assert _found(lint_text(unmounted, ["volume-unused"])) == [(17, "volume-unused", "info")]


STATEFULSET_BEHIND_CLUSTER_IP = """\
apiVersion: v1
kind: Service
metadata:
  name: db
spec:
  selector: {app: db}
  ports:
    - port: 5432
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: postgres:16.4
"""

HPA = """\
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: db
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db}
  minReplicas: 1
  maxReplicas: 3
"""


@pytest.mark.parametrize(
    ("replicas", "extra", "severity", "says"),
    [
        ("", "", "info", "with one replica only the pod's own DNS name is missing"),
        ("  replicas: 1\n", "", "info", "with one replica"),
        ("  replicas: 3\n", "", "error", "with 3 replicas, peers that find each other"),
        ("", HPA, "error", "with 3 replicas, peers"),
        ("  replicas: '{{ n }}'\n", "", "error", "with several replicas, peers"),
    ],
)
def test_a_non_headless_service_weighs_by_replica_count(replicas, extra, severity, says):
    manifest = STATEFULSET_BEHIND_CLUSTER_IP.replace(
        "  serviceName: db\n", replicas + "  serviceName: db\n"
    )
    result = lint_text(manifest + extra, ["statefulset-service-missing"])
    assert [(f.rule, f.severity) for f in result.findings] == [
        ("statefulset-service-missing", severity)
    ]
    assert "Service db is not headless" in result.findings[0].message
    assert says in result.findings[0].message


@pytest.mark.parametrize(
    ("version", "replicas", "severity"),
    [
        ("1.32", "", "error"),
        ("1.32", "  replicas: 3\n", "error"),
        ("1.33", "", "info"),
        ("1.33", "  replicas: 3\n", "warning"),
    ],
)
def test_a_missing_service_name_weighs_by_version_and_replica_count(version, replicas, severity):
    manifest = STATEFULSET_BEHIND_CLUSTER_IP.split("---\n")[1].replace(
        "  serviceName: db\n", replicas
    )
    result = lint_text(manifest, ["statefulset-service-missing", "schema"], parse_version(version))
    assert [(f.line, f.rule, f.severity) for f in result.findings] == [
        (5, "statefulset-service-missing", severity)
    ]


def test_partition_message_says_how_to_release_the_rollout():
    manifest = """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  replicas: 3
  updateStrategy:
    rollingUpdate:
      partition: 4
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: postgres:16.4
"""
    (finding,) = lint_text(manifest, ["statefulset-partition-stalls"]).findings
    assert finding.line == 10
    assert finding.message == (
        "partition 4 is at or above the replica count (3): only pods with an ordinal at or "
        "above the partition are updated, so no pod ever gets a changed pod template, while "
        "kubectl rollout status reports the partitioned roll out complete at once; if this "
        "stages a rollout by hand, release it by lowering "
        "spec.updateStrategy.rollingUpdate.partition (2 updates the last pod only, 0 updates all)"
    )
    single = manifest.replace("  replicas: 3\n", "")
    (finding,) = lint_text(single, ["statefulset-partition-stalls"]).findings
    assert finding.message.endswith(
        "release it by lowering spec.updateStrategy.rollingUpdate.partition to 0"
    )


def test_the_correct_stateful_application_gets_no_finding_from_any_rule():
    result = lint_paths([str(CORRECT_APPLICATION)])
    assert result.findings == []
    assert not result.internal_errors
    assert Path(CORRECT_APPLICATION / "db.yaml").is_file()
