"""The shared records keep what a frozen dataclass gave them (start-up, issue 11 item 4).

Problem, Fix, Edit, ObjectRef, Location and Notice (k8slint.model), the records the CLI
and the config make before a lint, and the immutable records of the loader,
the Kubernetes model and the checks (a Pod's containers, ports and mounts, a
parsed selector or image reference, ...) are named tuples, not dataclasses:
cheaper to create at every start. What the rest of the program relies on must hold
all the same: they cannot be changed, equal values are equal and hash alike
(findings and problems go into sets), and notices sort by file, then line.
"""

from __future__ import annotations

from typing import Any

import pytest

from k8slint.cache.plan import Plan
from k8slint.cache.witness import Record
from k8slint.cli import LintOptions
from k8slint.config.file import Glob, Override, Switches
from k8slint.kube.filekinds import KustomizeTree
from k8slint.kube.images import ImageRef
from k8slint.kube.kinds import ContainerAt, WorkloadKind
from k8slint.kube.labels import Requirement
from k8slint.kube.pod import Mount, Port
from k8slint.load.discover import InputFile
from k8slint.load.loader import LoadIssue
from k8slint.model import Edit, Fix, Location, Notice, ObjectRef, Problem
from k8slint.presets import Preset
from k8slint.report import ReportSettings

_FIX = Fix("safe", (Edit("delete", ("spec", "x")),))
_OPTIONS = {name: None for name in LintOptions._fields}

RECORDS: list[tuple[Any, str]] = [
    (Problem(("spec", "replicas"), "must be a number", fix=_FIX), "message"),
    (_FIX, "safety"),
    (ObjectRef("apps/v1", "Deployment", "web", "shop"), "name"),
    (Notice("a.yaml", 3, "skipped"), "line"),
    (Glob("/repo", "vendor"), "pattern"),
    (Switches(("all",), ("pod-*",), {}), "enable"),
    (Override((Glob("/repo", "*.yaml"),), Switches((), (), {})), "switches"),
    (Preset("recommended", "the default", {}), "summary"),
    (ReportSettings(color=True), "color"),
    (LintOptions(**_OPTIONS), "output_format"),
    (Edit("move", ("spec", "a"), target=("spec", "b")), "target"),
    (Location("base/web.yaml", 7, 3, "namePrefix: prod-"), "line"),
    (InputFile("a.yaml", "/repo/a.yaml"), "display"),
    (LoadIssue("yaml-syntax", 3, 1, "bad indentation"), "line"),
    (Port(("ports", 0), 80, "TCP", "http", None, None), "number"),
    (Mount(("volumeMounts", 0), "data"), "volume"),
    (ContainerAt("containers", 0, ("spec", "containers", 0), {}), "index"),
    (WorkloadKind("Deployment", ()), "kind"),
    (Requirement("app", "In", frozenset({"web"}), ("selector",)), "values"),
    (ImageRef("docker.io", "library/nginx", "1.27", None), "tag"),
    (KustomizeTree("/repo/base", frozenset({("ConfigMap", "env")}), False), "root"),
    (Record([("/repo/a.yaml", (1, 2, 3, 4, 5))], [("/.git", False)]), "stats"),
    (
        Plan(Record([], []), [], frozenset(), {}, {}, None, frozenset(), frozenset()),  # type: ignore[arg-type]
        "content",
    ),
]


def _id(value: Any) -> str:
    return value if isinstance(value, str) else type(value).__name__


@pytest.mark.parametrize(("record", "field"), RECORDS, ids=_id)
def test_a_record_cannot_change(record: Any, field: str):
    with pytest.raises(AttributeError):
        setattr(record, field, "other")


@pytest.mark.parametrize(
    "record",
    [
        record
        for record, _ in RECORDS
        if type(record) not in (Switches, Override, Preset, ContainerAt, Record, Plan)
    ],
    ids=_id,
)
def test_equal_records_are_one_in_a_set(record: Any):
    """(Switches, Presets and ContainerAt hold a mapping, the cache's Record and
    Plan lists: unhashable, as the dataclasses were.)"""
    copy = type(record)(*record)
    assert copy == record and copy is not record
    assert {record, copy} == {record}


def test_a_changed_field_is_another_record():
    problem = Problem(("spec",), "wrong")
    assert problem._replace(severity="warning") != problem
    assert Problem(("spec",), "wrong", fix=_FIX) != problem


def test_notices_sort_by_file_then_line_then_message():
    notices = [
        Notice("b.yaml", 1, "x"),
        Notice("a.yaml", 10, "x"),
        Notice("a.yaml", 2, "z", is_error=True),
        Notice("a.yaml", 2, "y"),
    ]
    assert [(n.file, n.line, n.message) for n in sorted(notices)] == [
        ("a.yaml", 2, "y"),
        ("a.yaml", 2, "z"),
        ("a.yaml", 10, "x"),
        ("b.yaml", 1, "x"),
    ]


def test_a_fix_is_placed_in_its_objects_document():
    class Placed:
        doc_index, item_path = 2, ("items", 1)

    placed = _FIX.at(Placed())  # type: ignore[arg-type]
    assert (placed.document, placed.base, placed.edits) == (2, ("items", 1), _FIX.edits)


def test_a_cache_key_tells_a_record_from_a_plain_tuple():
    """A cache key tells records apart by their type, as it did for dataclasses."""
    from k8slint.cache.keys import canonical

    mount = Mount(("volumeMounts", 0), "data")
    assert canonical(mount) != canonical(tuple(mount))
    assert canonical(mount) == canonical(Mount(("volumeMounts", 0), "data"))
    assert canonical(mount).startswith("Mount{")


def test_the_cache_records_come_back_from_its_pickles():
    """The witness's Record and the plan's Plan (named tuples) and the cross-object
    Recording (a class with slots) are kept as pickles: they load as they were."""
    import pickle

    from k8slint.cache.crossobject import Recording

    record = Record([("/repo/a.yaml", (1, 2, 3, 4, 5))], [("/.git", False)])
    plan = Plan(record, [], frozenset({"/repo/a.yaml"}), {}, {}, None, frozenset(), frozenset())  # type: ignore[arg-type]
    for value in (record, plan):
        loaded = pickle.loads(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        assert type(loaded) is type(value) and loaded == value
    recording = Recording()
    recording.events.append(("not-validated", 0))
    recording.complete = False
    loaded = pickle.loads(pickle.dumps(recording, protocol=pickle.HIGHEST_PROTOCOL))
    assert (loaded.events, loaded.complete) == ([("not-validated", 0)], False)
