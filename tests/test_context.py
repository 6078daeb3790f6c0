"""Cross-object rules over a directory, and under pre-commit with --context.

Pre-commit hands the hook only the changed files; `--context` names the
manifest root so that a changed Service is still checked against the
Deployment nobody touched, while the context files themselves get no findings.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import lint_paths

from k8slint.cli import cli
from k8slint.engine.registry import load_rules
from k8slint.load import loader

FAMILY = sorted(
    rule.id
    for rule in load_rules().values()
    if rule.check.startswith(("selectors.", "references."))
)

APP = {
    "deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        tier: frontend
    spec:
      containers:
        - name: web
          image: example/web:1.4.2
          ports:
            - name: http
              containerPort: 8080
""",
    "service.yaml": """\
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: shop
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: http
""",
    "hpa.yaml": """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
  namespace: shop
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: web
  minReplicas: 2
  maxReplicas: 6
""",
    "pdb.yaml": """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: web
  namespace: shop
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app: web
""",
    "networkpolicy.yaml": """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: shop
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes: [Ingress]
  ingress:
    - ports:
        - port: 8080
""",
    "ingress.yaml": """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: shop
spec:
  rules:
    - host: shop.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: web
                port:
                  name: http
""",
}


def write_app(root: Path, typo: tuple[str, str, str] | None = None) -> Path:
    """The app's six files under root/manifests, with `old` -> `new` in one file."""
    manifests = root / "manifests"
    manifests.mkdir()
    for name, text in APP.items():
        if typo and typo[0] == name:
            assert typo[1] in text
            text = text.replace(typo[1], typo[2], 1)
        (manifests / name).write_text(text, encoding="utf-8")
    return manifests


def line_of(path: Path, text: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line == text)


def findings_by_place(paths: list[str]) -> set[tuple[str, int, str]]:
    result = lint_paths(paths, FAMILY)
    assert not result.internal_errors
    return {(os.path.basename(f.file), f.line, f.rule) for f in result.findings}


def test_the_app_without_a_typo_is_clean(tmp_path):
    manifests = write_app(tmp_path)
    assert findings_by_place([str(manifests)]) == set()


def test_a_template_label_typo_is_reported_in_every_object_it_breaks(tmp_path):
    manifests = write_app(
        tmp_path,
        ("deployment.yaml", "        app: web\n        tier", "        app: wbe\n        tier"),
    )
    selector_term = "      app: web"
    assert findings_by_place([str(manifests)]) == {
        (
            "deployment.yaml",
            line_of(manifests / "deployment.yaml", selector_term),
            "selector-template-mismatch",
        ),
        (
            "service.yaml",
            line_of(manifests / "service.yaml", "    app: web"),
            "service-selector-no-match",
        ),
        ("pdb.yaml", line_of(manifests / "pdb.yaml", selector_term), "pdb-selector-no-match"),
        (
            "networkpolicy.yaml",
            line_of(manifests / "networkpolicy.yaml", selector_term),
            "network-policy-selector-no-match",
        ),
    }


@pytest.mark.parametrize(
    ("typo", "expected_rule", "broken_line"),
    [
        (
            ("service.yaml", "    app: web", "    app: wbe"),
            "service-selector-no-match",
            "    app: wbe",
        ),
        (
            ("pdb.yaml", "      app: web", "      app: wbe"),
            "pdb-selector-no-match",
            "      app: wbe",
        ),
        (("hpa.yaml", "    name: web", "    name: wbe"), "hpa-target-missing", "    name: wbe"),
        (
            ("ingress.yaml", "                name: web", "                name: wbe"),
            "ingress-backend-missing",
            "                name: wbe",
        ),
        (
            ("service.yaml", "      targetPort: http", "      targetPort: htp"),
            "service-target-port-unknown",
            "      targetPort: htp",
        ),
    ],
)
def test_a_typo_in_a_referring_object_is_reported_there_only(
    tmp_path, typo, expected_rule, broken_line
):
    manifests = write_app(tmp_path, typo)
    file = typo[0]
    assert findings_by_place([str(manifests)]) == {
        (file, line_of(manifests / file, broken_line), expected_rule)
    }


def run_cli(args: list[str]) -> dict:
    outcome = CliRunner().invoke(
        cli, ["lint", *args, "--format", "json", "--select", ",".join(FAMILY)]
    )
    assert outcome.exit_code in (0, 1), outcome.output
    return json.loads(outcome.stdout)


def test_pre_commit_checks_a_changed_service_against_unchanged_deployments(tmp_path, monkeypatch):
    # The Deployment also sets replicas under an HPA: a finding it would get if linted.
    typo = ("service.yaml", "    app: web", "    app: wbe")
    manifests = write_app(tmp_path, typo)
    deployment = manifests / "deployment.yaml"
    deployment.write_text(
        deployment.read_text(encoding="utf-8").replace("spec:\n", "spec:\n  replicas: 3\n", 1),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)

    alone = run_cli(["manifests/service.yaml"])
    assert alone["findings"] == []  # one file alone: no candidates, nothing claimed

    changed = run_cli(["manifests/service.yaml", "--context", "manifests/"])
    assert [(f["file"], f["line"], f["rule"]) for f in changed["findings"]] == [
        ("manifests/service.yaml", 8, "service-selector-no-match")
    ]
    assert "Deployment web has app=web" in changed["findings"][0]["message"]
    assert changed["summary"]["files"] == 1

    # Linted as a changed file, the Deployment does get its own finding.
    touched = run_cli(["manifests/deployment.yaml", "--context", "manifests/"])
    assert [(f["file"], f["rule"]) for f in touched["findings"]] == [
        ("manifests/deployment.yaml", "hpa-replicas-conflict")
    ]


def test_statefulset_without_service_name_is_a_warning_from_1_33(tmp_path):
    manifest = tmp_path / "db.yaml"
    manifest.write_text(
        """\
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: db
spec:
  replicas: 3
  selector:
    matchLabels: {app: db}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers:
        - name: db
          image: postgres:16
""",
        encoding="utf-8",
    )
    severities = {
        version: [
            f.severity
            for f in lint_paths([str(manifest)], ["statefulset-service-missing"], version).findings
        ]
        for version in [(1, 32), (1, 33)]
    }
    assert severities == {(1, 32): ["error"], (1, 33): ["warning"]}


@pytest.mark.parametrize(("namespace", "expected"), [("shop", 1), (None, 0)])
def test_objects_of_one_declared_namespace_relate_across_sibling_directories(
    tmp_path, namespace, expected
):
    """`deployments/` and `services/` of one app: a declared namespace ties them
    together; without one, sibling directories are unrelated (a repository of
    samples puts many unrelated apps in the default namespace)."""
    for name, text in (("deployments", APP["deployment.yaml"]), ("services", APP["service.yaml"])):
        (tmp_path / name).mkdir()
        text = text.replace("app: web\n  ports", "app: wbe\n  ports")
        if namespace is None:
            text = text.replace("  namespace: shop\n", "")
        (tmp_path / name / "web.yaml").write_text(text, encoding="utf-8")
    found = findings_by_place([str(tmp_path)])
    assert [rule for _, _, rule in found].count("service-selector-no-match") == expected


def test_a_file_both_linted_and_in_context_is_loaded_once(tmp_path, monkeypatch):
    manifests = write_app(tmp_path)
    monkeypatch.chdir(tmp_path)
    loaded: list[str] = []
    real_load = loader.load_file  # the engine imports it when it loads a file

    def counting_load(path, display=None, **options):
        loaded.append(os.path.realpath(path))
        return real_load(path, display, **options)

    monkeypatch.setattr(loader, "load_file", counting_load)
    relative = os.path.join("manifests", "deployment.yaml")
    result = run_cli([relative, "--context", str(manifests)])
    assert result["summary"]["objects"] == 1
    assert len(loaded) == len(set(loaded)) == len(APP)
