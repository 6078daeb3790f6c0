"""The engine's contract: a run is independent of the one before, and a finding
may point into a file other than its object's (a built object's source)."""

from __future__ import annotations

from collections.abc import Iterator

from support import engine_for, web_deployment

from k8slint.checks.api import CheckContext, check
from k8slint.engine.registry import load_rules
from k8slint.engine.run import Engine
from k8slint.load.discover import InputFile
from k8slint.model import Location, Problem, Resource

PLACED = web_deployment("nodeSelector: {disktype: ssd}")
MOUNTED = web_deployment("volumeMounts: [{name: data, mountPath: /d}]")


def _item(name: str, text: str) -> InputFile:
    return InputFile(name, data=text.encode())


def test_lint_twice_gives_two_independent_results():
    engine = engine_for(["pod-field-in-container", "volume-mount-undeclared"])
    first = engine.lint([_item("a.yaml", PLACED)])
    first_findings = list(first.findings)
    second = engine.lint([_item("b.yaml", MOUNTED), _item("c.yaml", MOUNTED)])
    assert first is not second
    assert [(f.file, f.rule, f.line) for f in first_findings] == [
        ("a.yaml", "pod-field-in-container", 15)
    ]
    assert first.findings == first_findings and first.files == 1
    assert [(f.file, f.rule, f.line) for f in second.findings] == [
        ("b.yaml", "volume-mount-undeclared", 15),
        ("c.yaml", "volume-mount-undeclared", 15),
    ]
    assert second.files == 2 and second.objects == 2


ELSEWHERE = "k8slint-test-elsewhere.yaml"


@check(scope="resource")
def points_elsewhere(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    """A stand-in for a built object: its `metadata.name` was written in another file."""
    resource.origin = lambda path: Location(ELSEWHERE, 7, 3)
    yield Problem(("metadata", "name"), "named elsewhere")


def _elsewhere_engine() -> Engine:
    template = load_rules()["rollout-paused"]
    rule = template._replace(id="rollout-paused", check="test_engine.points_elsewhere")
    return Engine([rule])


def test_a_finding_points_into_the_file_its_location_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ELSEWHERE).write_text("\n" * 10)
    result = _elsewhere_engine().lint([_item("built.yaml", PLACED)])
    assert [(f.file, f.line, f.column) for f in result.findings] == [(ELSEWHERE, 7, 3)]


def test_suppression_follows_the_findings_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ELSEWHERE).write_text("# k8slint: disable-file=rollout-paused\n")
    result = _elsewhere_engine().lint([_item("built.yaml", PLACED)])
    assert result.findings == []
