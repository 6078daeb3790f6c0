"""Is the object's apiVersion/kind served by the target Kubernetes version?"""

from __future__ import annotations

import copy
from collections.abc import Iterator

from k8slint.checks.api import CheckContext, check
from k8slint.kube import edits
from k8slint.kube.fastcheck import compile_schema
from k8slint.kube.migrations import migration
from k8slint.kube.openapi import Version, format_version, serves
from k8slint.kube.served_apis import introduced_in, removed_in, replacement
from k8slint.kube.validators import builtin_kind_schema, builtin_validator
from k8slint.model import Fix, Problem, Resource


@check(scope="resource")
def api_deprecated(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    api_version, kind = resource.api_version, resource.kind
    target = context.kubernetes_version
    if api_version is None or kind is None or serves(target, api_version, kind):
        return
    removed = removed_in(target, api_version, kind)
    introduced = None if removed else introduced_in(target, api_version, kind)
    if removed:
        when = f"was removed in Kubernetes {format_version(removed)}"
    elif introduced:
        when = f"is served only from Kubernetes {format_version(introduced)}"
    else:
        return  # never a built-in type: a custom resource, crd-schema's business
    use = replacement(target, api_version, kind)
    fix = f"use apiVersion: {use}" if use else f"no apiVersion serves {kind} there"
    yield Problem(
        ("apiVersion",),
        f"{api_version} {kind} {when}, so a Kubernetes "
        f"{format_version(target)} API server rejects it; {fix}",
        fix=_migration(resource, target) if use else None,
    )


def _migration(resource: Resource, target: Version) -> Fix | None:
    """The guide's mechanical rewrite, offered only if its result is valid at the target."""
    found = migration(resource.api_version or "", resource.kind or "", resource.data)
    if found is None:
        return None
    new_api, changes = found
    schema = builtin_kind_schema(target, True, new_api, resource.kind or "")
    if schema is None:
        return None
    migrated = copy.deepcopy(resource.data)
    try:
        edits.apply(migrated, changes)
    except edits.EditConflict:
        return None
    if compile_schema(schema)(migrated):
        return Fix("safe", changes)  # valid, known without jsonschema (as `schema` does)
    validator = builtin_validator(target, True, new_api, resource.kind or "")
    if validator is None or any(True for _ in validator.iter_errors(migrated)):
        return None
    return Fix("safe", changes)
