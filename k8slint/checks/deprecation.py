"""Is the object's apiVersion/kind served by the target Kubernetes version?"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.checks.api import CheckContext, check
from k8slint.kube.openapi import format_version, serves
from k8slint.kube.served_apis import introduced_in, removed_in, replacement
from k8slint.model import Problem, Resource


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
    )
