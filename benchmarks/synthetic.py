"""A synthetic monorepo namespace: N Deployment + Service + PodDisruptionBudget trios.

The cross-object rules (selectors, references) look across the objects of a
namespace; this tree makes that namespace as large as asked, so that their
cost can be measured as it grows (benchmarks/bench.py) and their findings
compared with a brute-force reference (tests/test_scale_index.py).

    python benchmarks/synthetic.py DIR N

Layout: one file per trio (`apps/shop-00042.yaml`), all in one directory and
one declared namespace, as a monorepo keeps one manifest per application.
One file per trio rather than a few big files because that is the layout
where every object is related to every other (same namespace, same
directory) while no two files are variants of each other: the case where
the cross-object rules have the most candidates to consider. Every trio
has its own labels (`app: shop-00042`), which are one or two edits apart
from their neighbours': a typo-distance search that scanned the namespace
would find many near matches.

`variety.yaml` (a fixed set, the same for every N) adds what makes findings
exist: overlapping controller selectors, a Service selecting nothing, near
misses (a value typo, a key typo, a missing label), a selector with negative
terms, pods in another namespace, a selector on a controller-added label,
an HPA, a ConfigMap and a claim found by name. A `samples/` directory without a namespace
holds a Service that is related to nothing.
"""

from __future__ import annotations

import argparse
import os

NAMESPACE = "synthetic"

_DEPLOYMENT = """\
apiVersion: apps/v1
kind: {kind}
metadata:
  name: {name}
  namespace: {namespace}
spec:
  replicas: 2
  selector:
    matchLabels: {selector}
  template:
    metadata:
      labels: {labels}
    spec:
      containers:
        - name: main
          image: registry.example.com/{name}:1.0.0
          ports:
            - name: http
              containerPort: 8080
"""

_SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: {name}
  namespace: {namespace}
spec:
  selector: {selector}
  ports:
    - port: 80
      targetPort: http
"""

_PDB = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {name}
  namespace: {namespace}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {selector}
"""


def _trio(name: str) -> str:
    """The Deployment, Service and PodDisruptionBudget of one application."""
    own = f"{{app: {name}}}"
    return "---\n".join(
        (
            _workload(name, f"{{app: {name}, tier: backend}}", selector=own),
            _SERVICE.format(name=name, namespace=NAMESPACE, selector=own),
            _PDB.format(name=name, namespace=NAMESPACE, selector=own),
        )
    )


def _workload(
    name: str,
    labels: str,
    selector: str | None = None,
    kind: str = "Deployment",
    namespace: str = NAMESPACE,
) -> str:
    """A workload whose selector is `selector` (its own `labels` by default)."""
    return _DEPLOYMENT.format(
        kind=kind, name=name, namespace=namespace, selector=selector or labels, labels=labels
    )


def app_name(position: int) -> str:
    """The name and `app` label of trio `position`."""
    return f"shop-{position:05d}"


def _variety(n: int) -> str:
    """Objects that give the rules something to report, whatever N is (at least 12)."""
    ns = NAMESPACE
    near = app_name(min(3, n - 1))
    typo = near[:1] + near[2] + near[1] + near[3:]  # shop-00003 -> sohp-00003
    documents = [
        # Overlap: batch-a's selector takes batch-b's pods.
        _workload("batch-a", "{app: batch, role: a}", selector="{app: batch}"),
        _workload("batch-b", "{app: batch, role: b}"),
        # Selects nothing, nothing near: the file's templates are listed.
        _SERVICE.format(name="orphan", namespace=ns, selector="{app: nothing-like-it-at-all}"),
        # A value typo: a near miss (tied with its similar neighbours; the first wins).
        _SERVICE.format(name="typo", namespace=ns, selector=f"{{app: {typo}}}"),
        # A missing label (the other term holds), a truncated value.
        _SERVICE.format(
            name="partial",
            namespace=ns,
            selector=f"{{app: {app_name(min(7, n - 1))}, track: stable}}",
        ),
        _SERVICE.format(
            name="short", namespace=ns, selector=f"{{app: {app_name(min(8, n - 1))}, tier: backen}}"
        ),
        # Named like a workload of another file, selecting something else: a near miss.
        _SERVICE.format(name="named", namespace=ns, selector="{app: elsewhere}"),
        # Pods in another namespace.
        _workload("moved", "{app: moved}", namespace=f"{ns}-other"),
        _SERVICE.format(name="moved", namespace=ns, selector="{app: moved}"),
        # A selector on a label the StatefulSet controller adds: selects db's pod.
        _workload("db", "{app: db}", kind="StatefulSet"),
        _SERVICE.format(
            name="db-0", namespace=ns, selector="{statefulset.kubernetes.io/pod-name: db-0}"
        ),
        f"""\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: key-typo, namespace: {ns}}}
spec:
  minAvailable: 1
  selector:
    matchLabels: {{ap: {app_name(min(5, n - 1))}}}
""",
        f"""\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: negative, namespace: {ns}}}
spec:
  minAvailable: 2
  selector:
    matchExpressions:
      - {{key: app, operator: In, values: [ghost]}}
      - {{key: tier, operator: NotIn, values: [frontend]}}
""",
        f"""\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: everything-{app_name(min(9, n - 1))}, namespace: {ns}}}
spec:
  minAvailable: 2
  selector:
    matchLabels: {{app: {app_name(min(9, n - 1))}}}
""",
        f"""\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: front, namespace: {ns}}}
spec:
  podSelector:
    matchLabels: {{app: {app_name(min(9, n - 1))}}}
  ingress:
    - from:
        - podSelector:
            matchLabels: {{app: {typo}}}
        - podSelector:
            matchLabels: {{app: moved}}
""",
        f"""\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {{name: isolate, namespace: {ns}}}
spec:
  podSelector:
    matchLabels: {{app: btach}}
  policyTypes: [Ingress]
""",
        # A named targetPort the selected pods do not name.
        f"""\
apiVersion: v1
kind: Service
metadata: {{name: metrics, namespace: {ns}}}
spec:
  selector: {{app: {app_name(min(2, n - 1))}}}
  ports:
    - {{port: 9090, targetPort: metrics}}
""",
        f"""\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: batch, namespace: {ns}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: batch-c}}
  minReplicas: 1
  maxReplicas: 3
""",
        f"""\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: cache, namespace: {ns}}}
spec:
  selector:
    matchLabels: {{app: cache}}
  template:
    metadata:
      labels: {{app: cache}}
    spec:
      containers:
        - name: main
          image: registry.example.com/cache:1.0.0
          envFrom:
            - configMapRef: {{name: cache-config}}
          volumeMounts: [{{name: data, mountPath: /data}}]
      volumes:
        - name: data
          persistentVolumeClaim: {{claimName: cache-data}}
""",
        f"""\
apiVersion: v1
kind: ConfigMap
metadata: {{name: cache-confg, namespace: {ns}}}
data: {{mode: lru}}
""",
        f"""\
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {{name: cache-data, namespace: {ns}}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {{requests: {{storage: 1Gi}}}}
""",
    ]
    return "---\n".join(documents)


_NAMED = _workload("named", "{app: named-pods}")

_UNRELATED = """\
apiVersion: v1
kind: Service
metadata:
  name: lonely
spec:
  selector:
    app: shop-00001
  ports:
    - port: 80
"""


def write_tree(directory: str, n: int) -> str:
    """Write the tree for `n` trios (n >= 1) into `directory`; return it."""
    if n < 1:
        raise ValueError("n must be at least 1")
    apps = os.path.join(directory, "apps")
    os.makedirs(apps, exist_ok=True)
    for position in range(n):
        name = app_name(position)
        with open(os.path.join(apps, f"{name}.yaml"), "w", encoding="utf-8") as handle:
            handle.write(_trio(name))
    with open(os.path.join(apps, "variety.yaml"), "w", encoding="utf-8") as handle:
        handle.write(_variety(n))
    with open(os.path.join(apps, "named.yaml"), "w", encoding="utf-8") as handle:
        handle.write(_NAMED)
    samples = os.path.join(directory, "samples")
    os.makedirs(samples, exist_ok=True)
    with open(os.path.join(samples, "lonely.yaml"), "w", encoding="utf-8") as handle:
        handle.write(_UNRELATED)
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument("n", type=int)
    args = parser.parse_args()
    write_tree(args.directory, args.n)


if __name__ == "__main__":
    main()
