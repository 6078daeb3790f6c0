"""The Pod Security Standards controls at the policy versions that changed them."""

from __future__ import annotations

import pytest
from support import lint_text, web_pod

from k8slint.kube.openapi import parse_version
from k8slint.kube.pod_security import CONTROLS, controls, safe_sysctls

PROBE_HOST = web_pod("livenessProbe:\n  tcpSocket:\n    host: db.internal\n    port: 5432")


@pytest.mark.parametrize(("version", "count"), [("1.33", 0), ("1.34", 1)])
def test_host_probes_control_exists_from_1_34(version, count):
    result = lint_text(PROBE_HOST, ["pss-host-probes"], parse_version(version))
    assert [f.line for f in result.findings] == [11] * count


def test_safe_sysctls_grow_by_version():
    assert "net.ipv4.ip_local_reserved_ports" not in safe_sysctls((1, 26))
    assert "net.ipv4.ip_local_reserved_ports" in safe_sysctls((1, 27))
    assert "net.ipv4.tcp_rmem" not in safe_sysctls((1, 31))
    assert "net.ipv4.tcp_rmem" in safe_sysctls((1, 32))
    assert "net.ipv4.tcp_notsent_lowat" not in safe_sysctls((1, 36))


def test_restricted_is_baseline_less_what_it_replaces_plus_its_own():
    baseline = {c.rule for c in controls("baseline")}
    restricted = {c.rule for c in controls("restricted")}
    replaced = {c.replaces for c in CONTROLS if c.replaces}
    assert restricted == (baseline - replaced) | {
        c.rule for c in CONTROLS if c.level == "restricted"
    }
    assert len(baseline) == 12 and len(restricted) == 15


NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: legacy
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/enforce-version: {version}
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: legacy
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 0
    seccompProfile: {{type: RuntimeDefault}}
  containers:
    - name: web
      image: nginx:1.27
      securityContext:
        allowPrivilegeEscalation: false
        capabilities: {{drop: [ALL]}}
"""


@pytest.mark.parametrize(("version", "count"), [("v1.22", 0), ("v1.23", 1), ("latest", 1)])
def test_enforce_version_pins_the_policy(version, count):
    """runAsUser: 0 is forbidden from policy 1.23 on."""
    result = lint_text(NAMESPACE.format(version=version), ["pod-security-namespace"])
    assert [(f.line, f.severity) for f in result.findings] == [(17, "error")] * count


def test_a_malformed_version_label_judges_nothing():
    result = lint_text(NAMESPACE.format(version="1.25"), ["pod-security-namespace"])
    assert result.findings == []
