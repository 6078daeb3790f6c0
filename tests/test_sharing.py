"""Equal parts of the run's objects are held once (`k8slint.kube.sharing`), and
only parts equal in every way a check can see: types, key order, values."""

from __future__ import annotations

import copy

import pytest

from k8slint.kube import sharing
from k8slint.kube.sharing import SharedData


def _object(**changes):
    data = {
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}},
        "spec": {
            "replicas": 2,
            "template": {"spec": {"containers": [{"name": "web", "ports": [{"port": 80}]}]}},
        },
    }
    data["spec"].update(changes)
    return data


def _with_packed(**parts):
    from k8slint.kube.packed import _pack

    return {"schema": {"openAPIV3Schema": _pack({"type": "object"})}, **parts}


def test_equal_objects_become_one_and_keep_their_values():
    shared = SharedData()
    first = shared.share(_object())
    second = shared.share(_object())
    assert second is first
    assert first == _object()


def test_an_object_that_differs_shares_its_equal_parts():
    shared = SharedData()
    first = shared.share(_object())
    second = shared.share(_object(replicas=3))
    assert second is not first and second == _object(replicas=3)
    assert second["metadata"] is first["metadata"]
    assert second["spec"]["template"] is first["spec"]["template"]


@pytest.mark.parametrize(
    "one, other",
    [
        ({"a": 1}, {"a": True}),
        ({"a": 1}, {"a": 1.0}),
        ({"a": 1}, {"a": "1"}),
        ({"a": 0}, {"a": False}),
        ({"a": None}, {"a": "null"}),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}),
        ({"a": []}, {"a": {}}),
        ([1, [2]], [1, (2,)]),
        ({"a": 0.0}, {"a": -0.0}),
    ],
)
@pytest.mark.parametrize("holder", [dict, _with_packed], ids=["plain", "with-a-packed-schema"])
def test_parts_equal_in_python_but_not_in_a_manifest_stay_apart(one, other, holder):
    """`true` is not `1` to a check (isinstance(value, bool)), nor is key order
    the same to a message that lists keys as written; alike for the parts that
    hold a value other than plain data."""
    shared = SharedData()
    expected = copy.deepcopy(other)
    shared.share(holder(part=one))
    kept = shared.share(holder(part=other))["part"]
    assert kept is other
    assert kept == expected and list(kept) == list(expected)


def test_parts_holding_a_packed_schema_are_shared_too():
    """A CRD's data holds its schema packed (`kube.packed`): copies of one CRD
    are held once all the same."""
    shared = SharedData()
    first = shared.share(_with_packed(part=_object()))
    second = shared.share(_with_packed(part=_object()))
    assert second is first
    third = shared.share(_with_packed(part=_object(replicas=3)))
    assert third is not first and third["part"]["metadata"] is first["part"]["metadata"]


def _copies(tmp_path):
    from k8slint.load.discover import InputFile

    text = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  selector: {app: web}\n"
    items = []
    for name in ("a.yaml", "b.yaml"):
        path = tmp_path / name
        path.write_text(text)
        items.append(InputFile(str(path), path=str(path)))
    return items


def _one_object_each(resources):
    first, second = resources
    assert first.file != second.file
    return first, second


@pytest.fixture
def share_all(monkeypatch):
    """Sharing from a run's first object (runs share only past `UNSHARED_OBJECTS`)."""
    monkeypatch.setattr(sharing, "UNSHARED_OBJECTS", 0)


def test_a_run_holds_its_first_objects_as_they_are_and_shares_after():
    shared = SharedData(unshared=2)
    first, second = _object(), _object()
    assert shared.hold(first) is first and shared.hold(second) is second
    third = _object()
    assert shared.hold(third) is third  # the first two were not remembered
    assert shared.hold(_object()) is third


def test_a_run_of_a_few_objects_holds_them_as_they_are(tmp_path):
    from k8slint.engine.run import Engine, _Run

    run = _Run(Engine([], jobs=1))
    first, second = _one_object_each(run._load_linted(_copies(tmp_path), lambda done: None))
    assert first.data is not second.data and first.data == second.data


def test_objects_of_two_copies_of_a_file_share_their_data(tmp_path, share_all):
    from k8slint.engine.run import Engine, _Run

    run = _Run(Engine([], jobs=1))
    first, second = _one_object_each(run._load_linted(_copies(tmp_path), lambda done: None))
    assert first.data is second.data


def test_objects_from_workers_and_the_cache_share_their_data(tmp_path, share_all):
    """Their parts come pickled, each on its own: the parent shares them."""
    import pickle

    from k8slint.engine.run import Engine, _Run

    run = _Run(Engine([]))
    parts = [run.part(run.load(item, context_only=False)) for item in _copies(tmp_path)]
    parts = [pickle.loads(pickle.dumps(part)) for part in parts]
    first, second = _one_object_each([r for part in parts for r in run._merge(part)])
    assert first.data is second.data
