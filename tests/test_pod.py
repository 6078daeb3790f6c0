"""The Pod model: roles, which containers run together, volumes from claim templates."""

from __future__ import annotations

from k8slint.kube.pod import Role, pod_of
from k8slint.load.loader import load_bytes

POD = b"""\
apiVersion: v1
kind: Pod
metadata:
  name: pod
  annotations: {a: b}
spec:
  initContainers:
    - name: early          # plain, before any sidecar
      image: busybox:1.36
    - name: proxy          # native sidecar
      image: envoyproxy/envoy:v1.31.0
      restartPolicy: Always
    - name: late           # plain, while proxy runs
      image: busybox:1.36
      restartPolicy: Never
  containers:
    - name: app
      image: nginx:1.27
      ports: [{containerPort: 80}, {containerPort: 53, protocol: UDP, name: dns}]
      volumeMounts: [{name: data, mountPath: /data}]
      volumeDevices: [{name: raw, devicePath: /dev/xvdb}]
  ephemeralContainers:
    - name: debug
      image: busybox:1.36
  volumes: [{name: data, emptyDir: {}}]
"""


def _pod(text: bytes):
    (resource,) = load_bytes(text, "pod.yaml").resources
    pod = pod_of(resource)
    assert pod is not None
    return pod


def test_roles_in_pod_order():
    pod = _pod(POD)
    assert [(c.name, c.role) for c in pod.containers] == [
        ("early", Role.INIT),
        ("proxy", Role.SIDECAR),
        ("late", Role.INIT),
        ("app", Role.REGULAR),
        ("debug", Role.EPHEMERAL),
    ]
    assert pod.annotations == {"a": "b"}


def test_which_containers_run_together():
    early, proxy, late, app, debug = _pod(POD).containers
    assert not early.runs_with(proxy)  # proxy starts only after early has exited
    assert proxy.runs_with(late)  # late runs while the sidecar is up
    assert not late.runs_with(app)  # init containers finish before the app starts
    assert not early.runs_with(late)
    assert proxy.runs_with(app) and app.runs_with(debug) and proxy.runs_with(debug)
    assert not app.runs_with(app)


def test_ports_and_mounts():
    app = _pod(POD).containers[3]
    assert [(p.label, p.name) for p in app.ports] == [("80/TCP", None), ("53/UDP", "dns")]
    assert [m.volume for m in app.mounts] == ["data", "raw"]
    assert app.mounts[1].path == ("spec", "containers", 0, "volumeDevices", 0, "name")


STATEFULSET = b"""\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata:
      labels: {app: db}
      annotations: {team: db}
    spec:
      containers: [{name: db, image: postgres:16}]
      volumes: [{name: config, configMap: {name: db}}]
  volumeClaimTemplates:
    - metadata: {name: pgdata}
"""


def test_statefulset_claim_templates_are_volumes():
    pod = _pod(STATEFULSET)
    assert [(v.name, v.from_claim_template, v.path) for v in pod.volumes] == [
        ("config", False, ("spec", "template", "spec", "volumes", 0, "name")),
        ("pgdata", True, ("spec", "volumeClaimTemplates", 0, "metadata", "name")),
    ]
    assert pod.annotations == {"team": "db"}


def test_objects_without_a_pod_template_have_no_pod():
    (service,) = load_bytes(b"apiVersion: v1\nkind: Service\nmetadata: {name: s}\n", "s").resources
    assert pod_of(service) is None
