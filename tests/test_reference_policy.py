"""The cases of issue 12: a reference that resolves to nothing within its
application is reported at the failing term or name, with what exists instead,
whether or not a name looks like a typo; the same cases fixed are silent."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import engine_for, lint_paths

from k8slint.load.discover import discover


def deployment(name: str, labels: str, namespace: str | None = None, kind: str = "Deployment"):
    extra = f"  namespace: {namespace}\n" if namespace else ""
    service = f"  serviceName: {name}\n" if kind == "StatefulSet" else ""
    return f"""apiVersion: apps/v1
kind: {kind}
metadata:
  name: {name}
{extra}spec:
{service}  selector:
    matchLabels: {{{labels}}}
  template:
    metadata:
      labels: {{{labels}}}
    spec:
      containers:
        - name: {name}
          image: example/{name}:1.0
"""


def service(name: str, selector: str = "", namespace: str | None = None) -> str:
    extra = f"  namespace: {namespace}\n" if namespace else ""
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
{extra}spec:
  selector: {{{selector or "app: " + name}}}
  ports:
    - port: 80
"""


def ingress(backend: str) -> str:
    return f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {backend}
                port:
                  number: 80
"""


def pdb(selector_lines: str) -> str:
    return f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: budget
spec:
  minAvailable: 1
  selector:
{selector_lines}"""


def network_policy(values: str) -> str:
    return f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: cache-access
spec:
  podSelector:
    matchExpressions:
      - key: app
        operator: In
        values: [{values}]
"""


CASES = {
    "ingress-store-front": (
        "ingress-backend-missing",
        [service("store-front"), ingress("store-front-svc")],
        "                name: store-front-svc",
        "it holds Service store-front",
        ("store-front-svc", "store-front"),
    ),
    "pdb-renamed-key": (
        "pdb-selector-no-match",
        [
            deployment("activator", "app: activator"),
            pdb("    matchLabels:\n      k8s-app: activator\n"),
        ],
        "      k8s-app: activator",
        "Deployment activator (app=activator)",
        ("k8s-app: activator", "app: activator"),
    ),
    "network-policy-expression": (
        "network-policy-selector-no-match",
        [deployment("cache", "app: cache"), network_policy("cache-primary, cache-main")],
        "      - key: app",
        "Deployment cache (app=cache)",
        ("values: [cache-primary, cache-main]", "values: [cache, cache-main]"),
    ),
    "pdb-elasticsearch": (
        "pdb-selector-no-match",
        [
            deployment("es", "app: es", kind="StatefulSet"),
            pdb("    matchLabels:\n      app: elasticsearch\n"),
        ],
        "      app: elasticsearch",
        "StatefulSet es (app=es)",
        ("app: elasticsearch", "app: es"),
    ),
    "service-other-namespace": (
        "service-selector-no-match",
        [
            deployment("invoices", "app: invoices", namespace="default"),
            deployment("ledger", "app: ledger", namespace="billing"),
            service("invoices", namespace="billing"),
        ],
        "  selector: {app: invoices}",
        "no pod template in namespace billing has those labels; Deployment invoices in "
        "namespace default does: set its namespace, or move the Service",
        ("name: invoices\n  namespace: billing", "name: invoices\n  namespace: default"),
    ),
}


def write(path: Path, documents: list[str], fix: tuple[str, str] | None = None) -> Path:
    text = "---\n".join(documents)
    if fix:
        assert fix[0] in text
        text = text.replace(fix[0], fix[1])
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_issue_case_is_reported_at_the_failing_term_and_silent_once_fixed(tmp_path, case):
    rule, documents, line, instead, fix = CASES[case]
    manifest = write(tmp_path / "app.yaml", documents)
    result = lint_paths([str(manifest)], [rule])
    lines = manifest.read_text(encoding="utf-8").splitlines()
    assert [(f.line, f.rule) for f in result.findings] == [(lines.index(line) + 1, rule)]
    assert instead in result.findings[0].message
    fixed = write(tmp_path / "app.yaml", documents, fix)
    assert lint_paths([str(fixed)], [rule]).findings == []


def test_a_kustomize_tree_is_one_application_and_a_plain_directory_is_not(tmp_path):
    """`service-ui` beside Service `ui` in another file: reported under one
    kustomization; in a plain directory (a collection of samples) it may be
    defined elsewhere, so nothing is said."""
    for name in ("plain", "kustomized"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "services.yaml").write_text(service("ui"), encoding="utf-8")
        (tmp_path / name / "ingress.yaml").write_text(ingress("service-ui"), encoding="utf-8")
    (tmp_path / "kustomized" / "kustomization.yaml").write_text(
        "resources: [services.yaml, ingress.yaml]\n", encoding="utf-8"
    )
    assert lint_paths([str(tmp_path / "plain")], ["ingress-backend-missing"]).findings == []
    result = lint_paths([str(tmp_path / "kustomized")], ["ingress-backend-missing"])
    (found,) = result.findings
    assert (Path(found.file).name, found.line) == ("ingress.yaml", 13)
    assert "namespace default holds no Service service-ui (it holds Service ui)" in found.message


def test_at_most_three_candidates_are_listed(tmp_path):
    services = [service(name) for name in ("alpha", "beta", "delta", "gamma", "omega")]
    manifest = write(tmp_path / "app.yaml", [*services, ingress("store")])
    (found,) = lint_paths([str(manifest)], ["ingress-backend-missing"]).findings
    assert "(it holds Service alpha, beta, delta and 2 more)" in found.message


def test_linting_one_file_alone_says_nothing(tmp_path):
    manifest = write(tmp_path / "svc.yaml", [service("web", "app: wbe")])
    rules = ["service-selector-no-match", "ingress-backend-missing"]
    assert lint_paths([str(manifest)], rules).findings == []


SA = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n"
CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n"
CLAIM = (
    "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {name}\n"
    "spec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests: {{storage: 1Gi}}\n"
)
POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  serviceAccountName: web
  containers:
    - name: web
      image: example/web:1.0
      envFrom:
        - configMapRef: {name: web}
      volumeMounts: [{name: data, mountPath: /data}]
  volumes:
    - name: data
      persistentVolumeClaim: {claimName: web}
"""


@pytest.mark.parametrize(
    ("rule", "template"),
    [
        ("service-account-missing", SA),
        ("config-ref-missing", CONFIG),
        ("pvc-missing", CLAIM),
    ],
)
def test_a_target_only_in_context_resolves_and_a_missing_one_is_judged_there(
    tmp_path, rule, template
):
    """Pre-commit lints the changed Pod; the objects it names live in --context
    (a Kustomize tree: one application)."""

    def findings(defined: str, pod: str = POD) -> list[str]:
        root = tmp_path / str(len(list(tmp_path.iterdir())))
        root.mkdir()
        (root / "kustomization.yaml").write_text("resources: [pod.yaml, defined.yaml]\n")
        (root / "pod.yaml").write_text(pod, encoding="utf-8")
        (root / "defined.yaml").write_text(defined, encoding="utf-8")
        linted, context = discover([str(root / "pod.yaml")]).files, discover([str(root)]).files
        result = engine_for([rule]).lint(linted, context)
        return [f.rule for f in result.findings]

    both = template.format(name="web") + "---\n" + template.format(name="api")
    assert findings(both) == []
    assert findings(template.format(name="api")) == [rule]
    in_lab = POD.replace("\n  name: web\n", "\n  name: web\n  namespace: lab\n", 1)
    assert findings(template.format(name="api"), in_lab) == []  # lab: nothing to judge by


HPA = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {name}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: web}}
  minReplicas: 1
  maxReplicas: 3
"""
BUDGET = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
spec:
  minAvailable: 1
  selector:
    matchLabels: {app: web}
"""
PEER_POLICY = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: db
spec:
  podSelector: {}
  ingress:
    - from:
        - podSelector:
            matchLabels: {app: web}
"""


@pytest.mark.parametrize(
    ("rule", "linted", "context_with_finding", "context_without"),
    [
        ("hpa-target-conflict", HPA.format(name="web"), HPA.format(name="copy"), ""),
        (
            "pdb-blocks-eviction",
            BUDGET,
            deployment("web", "app: web"),
            deployment("web", "app: web").replace("spec:\n", "spec:\n  replicas: 3\n", 1),
        ),
        (
            "network-policy-peer-no-match",
            PEER_POLICY,
            deployment("api", "app: api"),
            deployment("api", "app: web"),
        ),
    ],
)
def test_the_other_object_only_in_context(
    tmp_path, rule, linted, context_with_finding, context_without
):
    def findings(context_text: str) -> list[tuple[str, str]]:
        root = tmp_path / str(len(list(tmp_path.iterdir())))
        root.mkdir()
        (root / "kustomization.yaml").write_text("resources: [linted.yaml, other.yaml]\n")
        (root / "linted.yaml").write_text(linted, encoding="utf-8")
        (root / "other.yaml").write_text(context_text or "{}\n", encoding="utf-8")
        linted_files = discover([str(root / "linted.yaml")]).files
        result = engine_for([rule]).lint(linted_files, discover([str(root)]).files)
        return [(Path(f.file).name, f.rule) for f in result.findings]

    assert findings(context_with_finding) == [("linted.yaml", rule)]
    assert findings(context_without) == []
