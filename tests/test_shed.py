"""What the cross-object phase sheds of an object (`k8slint.kube.packed`) is
what no cross-object check reads: the corpus and the fixtures give the same
findings, not-validated objects and notices with and without shedding. A new
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
        return lint_paths(paths, sorted(load_rules()), jobs=1, kustomize_command=RAW)


def test_the_fixtures_lint_the_same_with_and_without_shedding(monkeypatch):
    paths = [str(FIXTURES)]
    shed = _lint(paths, monkeypatch, shed=True)
    assert shed.findings
    assert _outcome(shed) == _outcome(_lint(paths, monkeypatch, shed=False))


def test_the_corpus_lints_the_same_with_and_without_shedding(raw_corpus, monkeypatch):
    unshed = _lint([str(shared("corpus"))], monkeypatch, shed=False)
    assert _outcome(raw_corpus) == _outcome(unshed)


@pytest.mark.parametrize(
    "kind, kustomized, kept",
    [("Deployment", False, False), ("Widget", False, True), ("Deployment", True, True)],
)
def test_what_containers_run_is_shed_from_built_in_workloads_only(tmp_path, kind, kustomized, kept):
    """Not from custom resources (validated whole against their CRD) nor from a
    Kustomize tree's files (a build's findings are placed by matching them)."""
    from k8slint.engine.run import Engine, _Run
    from k8slint.load.discover import InputFile

    if kustomized:
        (tmp_path / "kustomization.yaml").write_text("resources: [app.yaml]\n")
    api = "apps/v1" if kind == "Deployment" else "example.com/v1"
    path = tmp_path / "app.yaml"
    path.write_text(
        f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: web}}\nspec:\n  template:\n"
        "    spec:\n      containers:\n      - name: web\n        command: [run]\n"
        "        env:\n        - {name: A, value: '1'}\n"
        "        - {name: B, valueFrom: {secretKeyRef: {name: s, key: k}}}\n"
    )
    (app,) = _Run(Engine([])).load(InputFile(str(path), path=str(path)), context_only=True)
    container = app.data["spec"]["template"]["spec"]["containers"][0]
    assert ("command" in container) is kept
    assert container["env"][1]["valueFrom"] == {"secretKeyRef": {"name": "s", "key": "k"}}
    assert ("value" in container["env"][0]) is kept
