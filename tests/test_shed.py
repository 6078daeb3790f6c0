"""What the cross-object phase sheds of an object (`k8slint.kube.packed`) is
what no cross-object check reads, and holding equal parts once
(`k8slint.kube.sharing`) changes nothing: the corpus and the fixtures give the
same findings, not-validated objects and notices with and without both. A new
cross-object check that reads a shed field fails here until it keeps the field
in `packed`."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import lint_paths, shared

from k8slint.engine import run
from k8slint.engine.registry import load_rules
from k8slint.kustomize.build import OFF as RAW

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _outcome(result):
    return result.findings, result.not_validated, result.notices


def _lint(paths, monkeypatch, shed):
    with monkeypatch.context() as patched:
        if not shed:
            patched.setattr(run, "shed_bulk", lambda resource: None)
            patched.setattr(run.SharedData, "share", lambda self, value: value)
        return lint_paths(paths, sorted(load_rules()), jobs=1, kustomize_command=RAW)


def test_the_fixtures_lint_the_same_with_and_without_shedding(monkeypatch):
    paths = [str(FIXTURES)]
    shed = _lint(paths, monkeypatch, shed=True)
    assert shed.findings
    assert _outcome(shed) == _outcome(_lint(paths, monkeypatch, shed=False))


def test_the_corpus_lints_the_same_with_and_without_shedding(raw_corpus, monkeypatch):
    unshed = _lint([str(shared("corpus"))], monkeypatch, shed=False)
    assert _outcome(raw_corpus) == _outcome(unshed)


_CONTAINER = {
    "name": "web",
    "image": "web:1",
    "command": ["run"],
    "resources": {"limits": {"memory": "1Gi"}},
    "ports": [{"name": "http", "containerPort": 80}],
    "env": [
        {"name": "A", "value": "1"},
        {"name": "B", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
        {"name": "C", "value": "3"},
    ],
    "readinessProbe": {"httpGet": {"path": "/", "port": 80}, "periodSeconds": 5},
    "livenessProbe": {"tcpSocket": {"host": "10.0.0.1", "port": 80}},
    "lifecycle": {"preStop": {"exec": {"command": ["stop"]}}},
}
_SHED_CONTAINER = {
    "name": "web",
    "ports": [{"name": "http", "containerPort": 80}],
    "env": [None, {"valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}],
    "readinessProbe": {},
    "livenessProbe": {"tcpSocket": {"host": "10.0.0.1"}},
    "lifecycle": {"preStop": {}},
}
"""What a cross-object check reads of `_CONTAINER`: its name and ports, the
Secret it references (at its place), whether it has probes and the host one
targets (Pod Security's `host-probes`)."""


@pytest.mark.parametrize(
    "kind, kustomized, kept",
    [("Deployment", False, False), ("Widget", False, True), ("Deployment", True, True)],
)
def test_containers_are_shed_from_built_in_workloads_only(tmp_path, kind, kustomized, kept):
    """Not from custom resources (validated whole against their CRD) nor from a
    Kustomize tree's files (a build's findings are placed by matching them)."""
    import json

    from k8slint.engine.run import Engine, _Run
    from k8slint.load.discover import InputFile

    if kustomized:
        (tmp_path / "kustomization.yaml").write_text("resources: [app.yaml]\n")
    api = "apps/v1" if kind == "Deployment" else "example.com/v1"
    path = tmp_path / "app.yaml"
    path.write_text(
        f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: web}}\nspec:\n  template:\n"
        f"    spec:\n      containers: [{json.dumps(_CONTAINER)}]\n"
    )
    (app,) = _Run(Engine([])).load(InputFile(str(path), path=str(path)), context_only=True)
    container = app.data["spec"]["template"]["spec"]["containers"][0]
    assert container == (_CONTAINER if kept else _SHED_CONTAINER)
