"""Version boundaries and per-finding severities of the sidecar rules, which the
line-based fixtures do not show."""

from __future__ import annotations

import pytest
from support import lint_text

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: pod
spec:
  initContainers:
    - name: proxy
      image: envoyproxy/envoy:v1.31.0
      restartPolicy: Always
    - name: setup
      image: busybox:1.36
      restartPolicy: Never
  containers:
    - name: app
      image: nginx:1.27
      restartPolicy: {app_policy}
  ephemeralContainers:
    - name: debug
      image: busybox:1.36
      restartPolicy: Always
"""


def _restart_findings(version, app_policy):
    result = lint_text(POD.format(app_policy=app_policy), ["sidecar-restart-policy"], version)
    return {(f.line, f.severity) for f in result.findings}


@pytest.mark.parametrize(
    ("version", "app_policy", "expected"),
    [
        # Before per-container restart policies: errors on both non-sidecars.
        ((1, 33), "Never", {(12, "error"), (16, "error"), (20, "error")}),
        # 1.34: alpha, off by default: warnings; ephemeral containers stay errors.
        ((1, 34), "Never", {(12, "warning"), (16, "warning"), (20, "error")}),
        # 1.35+: on by default; only Always on a regular container (the sidecar mistake).
        ((1, 35), "Never", {(20, "error")}),
        ((1, 35), "Always", {(16, "warning"), (20, "error")}),
    ],
)
def test_restart_policy_by_version(version, app_policy, expected):
    assert _restart_findings(version, app_policy) == expected


@pytest.mark.parametrize(("version", "fires"), [((1, 27), True), ((1, 28), True), ((1, 29), False)])
def test_native_sidecar_needs_1_29(version, fires):
    result = lint_text(POD.format(app_policy="Never"), ["sidecar-unsupported-version"], version)
    assert [f.line for f in result.findings] == ([9] if fires else [])


JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: migrate:1.0
        - name: proxy
          image: cloud-sql-proxy:2.11.0
"""


def test_job_fix_depends_on_native_sidecar_support():
    (new,) = lint_text(JOB, ["job-sidecar-blocks-completion"], (1, 29)).findings
    (old,) = lint_text(JOB, ["job-sidecar-blocks-completion"], (1, 28)).findings
    assert "restartPolicy: Always" in new.message
    assert "exit when the main container is done" in old.message
