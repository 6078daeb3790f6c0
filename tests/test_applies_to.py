"""`@check(applies_to=...)`: the engine skips a per-object check for objects of
a type it does not apply to, so a wrong declaration would lose findings. Every
declaration is held against every fixture object (of every rule's fixtures):
where it says "not this type", the check must find nothing there."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import FIXTURES

from k8slint.checks.api import CheckContext, check, find_check
from k8slint.engine.registry import load_rules
from k8slint.engine.run import Engine
from k8slint.kube.openapi import newest_version
from k8slint.load.discover import InputFile, discover
from k8slint.load.loader import load_file
from k8slint.model import Problem, Resource

OBJECTS = [
    resource
    for item in discover([str(FIXTURES)]).files
    for resource in load_file(item.path or "").resources
]
DECLARED = sorted(
    rule.id
    for rule in load_rules().values()
    if not rule.produced_by_loader and find_check(rule.check).applies_to is not None
)


def test_the_pod_rules_declare_what_they_apply_to():
    assert {"host-network", "image-tag-mutable", "api-validation", "rbac-wildcard"} <= set(DECLARED)
    assert len(OBJECTS) > 300


@pytest.mark.parametrize("rule_id", DECLARED)
def test_a_check_finds_nothing_in_objects_it_does_not_apply_to(rule_id):
    rule = load_rules()[rule_id]
    bound = find_check(rule.check)
    assert bound.applies_to is not None
    context = CheckContext(newest_version(), rule.params)
    skipped = [resource for resource in OBJECTS if not bound.applies_to(resource)]
    assert skipped, "a declaration that excludes nothing saves nothing"
    for resource in skipped:
        resource.derived = {}
        assert list(bound.function(resource, context)) == [], (resource.file, resource.ref)


ASKED: list[str | None] = []
CALLED: list[str | None] = []


def _is_deployment(resource: Resource) -> bool:
    ASKED.append(resource.kind)
    return resource.kind == "Deployment"


@check(scope="resource", applies_to=_is_deployment)
def deployments_only(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    CALLED.append(resource.name)
    yield Problem(("metadata", "name"), "a Deployment")


def test_the_engine_asks_once_per_type_and_calls_the_check_where_it_applies():
    rule = load_rules()["rollout-paused"]._replace(check="test_applies_to.deployments_only")
    documents = [
        f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: {name}}}\n"
        for api, kind, name in [
            ("v1", "ConfigMap", "a"),
            ("apps/v1", "Deployment", "b"),
            ("v1", "ConfigMap", "c"),
            ("apps/v1", "Deployment", "d"),
            ("v1", "Service", "e"),
        ]
    ]
    ASKED.clear()
    CALLED.clear()
    result = Engine([rule], jobs=1).lint(
        [InputFile("m.yaml", data="---\n".join(documents).encode())]
    )
    assert sorted(ASKED) == ["ConfigMap", "Deployment", "Service"]
    assert CALLED == ["b", "d"]
    assert [f.line for f in result.findings] == [7, 15]


def test_applies_to_is_for_per_object_checks():
    with pytest.raises(ValueError, match="per-object"):
        check(scope="run", applies_to=_is_deployment)
