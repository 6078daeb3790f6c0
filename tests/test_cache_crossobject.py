"""The key of the cross-object checks' verdicts (k8slint/cache/crossobject.py):
whatever a check can read of the run's objects changes it, positions and the
way equal parts are held in memory do not."""

from __future__ import annotations

import copy
import dataclasses

import pytest

from k8slint.cache.crossobject import NOT_READ_BY_CHECKS, READ_BY_CHECKS, view_key
from k8slint.kube.filekinds import KustomizeTree
from k8slint.model import Location, Resource

SETTINGS = ("rules", "code")


def _resource(**changes) -> Resource:
    data = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "web", "labels": {"app": "web", "tier": "front"}},
        "spec": {"selector": {"app": "web"}},
    }
    resource = Resource("app/service.yaml", 0, "v1", "Service", "web", None, data, _at_one)
    return dataclasses.replace(resource, **changes)


def _at_one(path) -> tuple[int, int]:
    return 1, 1


def test_every_attribute_of_a_resource_is_either_keyed_or_said_why_not():
    attributes = {item.name for item in dataclasses.fields(Resource)}
    assert set(READ_BY_CHECKS) | set(NOT_READ_BY_CHECKS) == attributes
    assert not set(READ_BY_CHECKS) & set(NOT_READ_BY_CHECKS)


TREE = KustomizeTree("app", frozenset({("ConfigMap", "settings")}), False)

READ = {
    "file": "app/svc.yaml",
    "doc_index": 1,
    "api_version": "v2",
    "kind": "Endpoints",
    "name": "api",
    "namespace": "prod",
    "data": {"kind": "Service"},
    "template_path": ("spec", "template"),
    "context_only": True,
    "file_kind": "kustomize-patch",
    "build": "overlays/prod",
    "kustomize_tree": TREE,
    "item_path": ("items", 0),
}


def test_the_table_covers_every_keyed_attribute():
    assert set(READ) == set(READ_BY_CHECKS)


@pytest.mark.parametrize(("name", "value"), READ.items(), ids=READ.keys())
def test_a_change_a_check_can_read_is_another_key(name, value):
    assert view_key([_resource(**{name: value})], SETTINGS) != view_key([_resource()], SETTINGS)


def test_a_changed_tree_is_another_key():
    other = TREE._replace(rewrites_namespace=True)
    assert view_key([_resource(kustomize_tree=TREE)], SETTINGS) != view_key(
        [_resource(kustomize_tree=other)], SETTINGS
    )


DATA_EDITS = {
    "a label's value": lambda data: data["metadata"]["labels"].update(app="api"),
    "the order of the labels (a message lists them as written)": lambda data: data[
        "metadata"
    ].update(labels={"tier": "front", "app": "web"}),
    "a string for a number": lambda data: data["spec"].update(replicas="1"),
    "true for 1": lambda data: data["spec"].update(paused=True),
}


@pytest.mark.parametrize("edit", DATA_EDITS.values(), ids=DATA_EDITS.keys())
def test_a_change_of_the_data_is_another_key(edit):
    base = _resource()
    base.data["spec"]["paused"] = 1
    base.data["spec"]["replicas"] = 1
    edited = dataclasses.replace(base, data=copy.deepcopy(base.data))
    edit(edited.data)
    assert view_key([edited], SETTINGS) != view_key([base], SETTINGS)


def test_the_order_of_the_objects_and_the_settings_are_in_the_key():
    one, two = _resource(), _resource(name="api")
    assert view_key([one, two], SETTINGS) != view_key([two, one], SETTINGS)
    assert view_key([one], SETTINGS) != view_key([one], ("rules", "other code"))


def test_positions_and_shared_parts_are_not_in_the_key():
    """What a comment or a blank line changes, and how equal parts happen to be
    held (`kube.sharing`, a part loaded from the cache), keep the key."""
    base = [_resource(), _resource(name="api")]
    labels = {"app": "web", "tier": "front"}
    shared = [copy.deepcopy(resource) for resource in base]
    for resource in shared:  # one mapping held by both objects
        resource.data["metadata"]["labels"] = labels
        resource.data["spec"]["selector"] = {"app": "".join(["w", "eb"])}
    moved = [
        dataclasses.replace(
            resource,
            locate=lambda path: (40, 3),
            origin=lambda path: Location("base/service.yaml", 7, 1),
            derived={"pod": object()},
            directory="/somewhere",
        )
        for resource in shared
    ]
    assert view_key(base, SETTINGS) == view_key(shared, SETTINGS) == view_key(moved, SETTINGS)


def test_data_that_cannot_be_pickled_has_no_key():
    looped: list = []
    looped.append(looped)
    assert view_key([_resource(data={"spec": looped})], SETTINGS) is None


def test_data_that_does_not_pickle_has_no_key_and_leaves_the_next_keys_alone():
    """One pickler writes every object's part (`ObjectDigests`): an object that
    stops it midway (a YAML alias cycle) must not change what it writes next."""
    from k8slint.cache.crossobject import ObjectDigests

    cyclic = _resource()
    nested: list = []
    nested.append([[[nested]]])
    cyclic.data["spec"]["loop"] = nested
    digests = ObjectDigests()
    plain = [_resource(name=f"web{number}") for number in range(3)]
    assert view_key([plain[0], cyclic], SETTINGS, digests) is None
    assert view_key(plain, SETTINGS, digests) == view_key(plain, SETTINGS)
