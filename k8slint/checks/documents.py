"""Is each document a complete Kubernetes object?

Pre-commit hands us every YAML file, so most YAML is not ours to judge: only a
document that is *meant* to be an API object (it has `metadata`, or names a
built-in or run-defined kind) must carry apiVersion, kind and a name.
"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.checks.api import CheckContext, check
from k8slint.kube.filekinds import is_tool_document
from k8slint.kube.index import RunIndex
from k8slint.kube.openapi import builtin_kind_names, builtin_kinds, newest_version
from k8slint.model import Problem, Resource


def _meant_as_object(resource: Resource, crd_kinds: set[tuple[str, str]]) -> bool:
    if "metadata" in resource.data:
        return True
    kind = resource.kind
    if kind is None:
        return False
    return kind in builtin_kind_names() or (resource.api_group, kind) in crd_kinds


def _suggested_api_version(kind: str) -> str:
    found = sorted(api for api, known in builtin_kinds(newest_version()) if known == kind)
    stable = [api for api in found if "alpha" not in api and "beta" not in api]
    choice = (stable or found or [""])[0]
    return f" (for a {kind}: apiVersion: {choice})" if choice else ""


@check(scope="run", per_component=True)
def object_invalid(index: RunIndex, context: CheckContext) -> Iterator[tuple[Resource, Problem]]:
    crd_kinds = index.crd_kinds()
    for resource in index.resources:
        # Most objects are complete: what a document is meant as is asked only
        # of those that are not.
        problems = list(_missing_parts(resource))
        if problems and not is_tool_document(resource) and _meant_as_object(resource, crd_kinds):
            for problem in problems:
                yield resource, problem


def _missing_parts(resource: Resource) -> Iterator[Problem]:
    if resource.api_version is None:
        hint = _suggested_api_version(resource.kind) if resource.kind else ""
        yield Problem(
            ("apiVersion",),
            f"object has no apiVersion, so Kubernetes cannot tell which API serves it{hint}",
        )
    if resource.kind is None:
        yield Problem(
            ("kind",), "object has no kind, so Kubernetes cannot tell what type of object it is"
        )
    metadata = resource.data.get("metadata")
    if not isinstance(metadata, dict):
        yield Problem(
            ("kind",),
            "object has no metadata; every object needs metadata.name (or generateName)",
        )
    elif not isinstance(metadata.get("name"), str) and not isinstance(
        metadata.get("generateName"), str
    ):
        yield Problem(
            ("metadata", "name"),
            "object has no metadata.name (or generateName); the API rejects unnamed objects",
        )
