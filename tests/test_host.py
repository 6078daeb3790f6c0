"""host-port's severity depends on hostNetwork: the API rejects only the mismatch."""

from __future__ import annotations

from support import lint_text

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: pod
spec:
  hostNetwork: {host_network}
  containers:
    - name: app
      image: nginx:1.27
      ports:
        - containerPort: 80
          hostPort: 80
        - containerPort: 443
          hostPort: 8443
"""


def _findings(host_network: str) -> set[tuple[int, str]]:
    result = lint_text(POD.format(host_network=host_network), ["host-port"])
    return {(f.line, f.severity) for f in result.findings}


def test_without_host_network_every_host_port_is_a_warning():
    assert _findings("false") == {(12, "warning"), (14, "warning")}


def test_under_host_network_only_a_mismatch_fires_as_an_error():
    assert _findings("true") == {(14, "error")}
