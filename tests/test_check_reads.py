"""A cross-object check that declares what it reads (`Check.reads`) reads nothing
else, and its cached verdicts are reused after an edit of any other object."""

from __future__ import annotations

import pytest
from support import FIXTURES, engine_for, everything, shared

import k8slint.cache.witness as witness
import k8slint.engine.run as run_module
from k8slint.cache import Cache
from k8slint.checks import api
from k8slint.kube import components
from k8slint.kube.index import RunIndex
from k8slint.load.discover import discover


def _lint(paths, cache_dir=None):
    engine = engine_for(kustomize_command="none")
    engine.cache = Cache(str(cache_dir)) if cache_dir is not None else None
    return engine.lint(discover([str(path) for path in paths]).files)


def test_the_default_rules_hold_a_check_that_declares_what_it_reads():
    """Else the test below would hold nothing to its declaration."""
    declaring = [bound.name for _, bound in engine_for().run_checks if bound.reads]
    assert "schema.crd_schema" in declaring


@pytest.mark.parametrize(
    "tree", [FIXTURES, "kube-prometheus", "gateway-api", "cert-manager", "argo-cd"]
)
def test_a_check_given_only_what_it_declares_finds_what_it_finds_on_everything(
    tree, monkeypatch, tmp_path
):
    """Each declaring check runs on an index of its declared objects alone: the
    findings and the objects not validated are those of a run on every object."""
    paths = [tree if tree == FIXTURES else shared("corpus") / tree]
    whole = _lint(paths)
    real = run_module._Run._check_across

    def declared_only(self, index, checks):
        reads = checks[0][1].reads if len(checks) == 1 else None
        if reads is not None:
            index = RunIndex([resource for resource in index.resources if reads(resource)])
        real(self, index, checks)

    monkeypatch.setattr(run_module._Run, "_check_across", declared_only)
    alone = _lint(paths, tmp_path / "cache")  # with a cache, checks run in their groups
    assert everything(alone) == everything(whole)
    assert alone.not_validated == whole.not_validated


CRD = (FIXTURES / "crd-schema" / "crd.yaml").read_text()
RESOURCES = (FIXTURES / "crd-schema" / "resources.yaml").read_text()


def test_an_edit_of_another_object_reuses_the_declaring_checks_verdicts(tmp_path, monkeypatch):
    monkeypatch.setattr(witness, "SETTLED_NS", 0)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "crd.yaml").write_text(CRD)
    (tree / "resources.yaml").write_text(RESOURCES)
    (tree / "web.yaml").write_text(_web("web"))
    cache = tmp_path / "cache"
    first = _lint([tree], cache)
    assert any(finding.rule == "crd-schema" for finding in first.findings)

    (tree / "web.yaml").write_text(_web("edited"))  # a label the selectors read
    bound = api._CHECKS["schema.crd_schema"]
    monkeypatch.setitem(api._CHECKS, "schema.crd_schema", bound._replace(function=_must_not_run))
    reused = _lint([tree], cache)
    monkeypatch.setitem(api._CHECKS, "schema.crd_schema", bound)
    assert reused.internal_errors == []  # the engine reports a check that raised
    assert everything(reused) == everything(_lint([tree]))

    (tree / "resources.yaml").write_text(RESOURCES + "\n---\n" + _widget())  # read by crd-schema
    calls = []
    monkeypatch.setitem(
        api._CHECKS, "schema.crd_schema", bound._replace(function=_counting(bound, calls))
    )
    again = _lint([tree], cache)
    assert calls and again.internal_errors == []
    assert everything(again) == everything(_lint([tree]))


def _web(label: str) -> str:
    return (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n"
        f"  selector: {{app: {label}}}\n  ports: [{{port: 80}}]\n"
    )


def _widget() -> str:
    return "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: extra\n"


def _must_not_run(index, context):
    raise AssertionError("crd-schema ran again though nothing it reads changed")


def _counting(bound, calls):
    def counted(index, context):
        calls.append(1)
        yield from bound.function(index, context)

    return counted


def test_the_default_rules_hold_checks_judged_per_component():
    """Else the test below would hold nothing."""
    per_component = [bound.name for _, bound in engine_for().run_checks if bound.per_component]
    assert "references.service_selector_no_match" in per_component
    assert "names.config_ref_missing" in per_component


@pytest.mark.parametrize(
    "tree", [FIXTURES, "gke-samples", "kube-prometheus", "metallb", "ingress-nginx", "argo-cd"]
)
def test_checks_judged_per_component_find_on_each_part_what_they_find_on_everything(
    tree, monkeypatch, tmp_path
):
    """Each part of the run (`kube.components`) checked apart, with only the whole
    run's lookups to look beyond it, in one part, in 32, and each component alone
    (`1 << 30` parts): the findings are those of the checks on the whole run, and
    no verdict is about an object outside its part (`Recorder`)."""
    paths = [tree if tree == FIXTURES else shared("corpus") / tree]
    whole = everything(_lint(paths))
    incomplete = []
    real = run_module._Run._check_across

    def judged(self, index, checks):
        real(self, index, checks)
        if index.whole is not index and not self._recorder.recording.complete:
            incomplete.append(sorted({resource.file for resource in index.resources}))

    monkeypatch.setattr(run_module._Run, "_check_across", judged)
    for count in (1, 32, 1 << 30):
        monkeypatch.setattr(components, "PARTS", count)
        cache = tmp_path / f"cache-{count}"  # with a cache, such checks run per part
        assert everything(_lint(paths, cache)) == whole, f"{count} parts"
        assert incomplete == [], f"{count} parts"
