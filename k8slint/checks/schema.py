"""Does each object validate against its schema: built-in kinds against the target
version's API schema (`schema`), custom resources against the CRDs of the run
(`crd-schema`)?"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from k8slint.checks.api import CheckContext, check
from k8slint.kube.crd_validators import (
    CrdVersion,
    broken_schema,
    crd_versions,
    custom_resource_check,
    custom_resource_schema,
    custom_resource_validator,
    with_defaults,
)
from k8slint.kube.fastcheck import Check, compile_schema
from k8slint.kube.filekinds import is_kustomize_input, is_tool_document
from k8slint.kube.index import RunIndex
from k8slint.kube.openapi import builtin_groups, builtin_kinds
from k8slint.kube.packed import PackedSchema
from k8slint.kube.schema_errors import violations
from k8slint.kube.served_apis import is_builtin, replacement
from k8slint.kube.validators import (
    ErrorTranslator,
    builtin_kind_schema,
    builtin_type_names,
    builtin_validator,
    nearest_name,
)
from k8slint.model import Problem, Resource

if TYPE_CHECKING:
    from k8slint.kube.validators import Validator


@check(scope="resource")
def builtin_schema(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    if resource.api_version is None or resource.kind is None:
        return
    version, strict = context.kubernetes_version, context.strict
    schema = builtin_kind_schema(version, strict, resource.api_version, resource.kind)
    if schema is None:
        yield from _no_such_type(resource, context)
        return
    if compile_schema(schema)(resource.data):
        return  # valid: the common case, decided without jsonschema (or importing it)
    errors: list[Any] | None = violations(schema, resource.data)
    if errors is None:  # only jsonschema can word them
        validator = builtin_validator(version, strict, resource.api_version, resource.kind)
        assert validator is not None  # built from the same schema
        errors = list(validator.iter_errors(resource.data))
    if errors:
        translator = ErrorTranslator(
            resource.kind.lower(),
            builtin_type_names(version, strict),
            is_kustomize_input(resource),
            version,
        )
        yield from translator.problems(errors)


def _no_such_type(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    """An apiVersion of a built-in API group with a kind no Kubernetes version serves
    there (`v1 Deployment`, `apps/v1 Deploymnet`). A kind that some version serves
    is api-deprecated's; other groups are custom resources, crd-schema's. Only
    documents meant as API objects (with metadata) count: component configs such as
    the old scheduler `v1 Policy` file are read by a program, not the API server."""
    api_version, kind = resource.api_version or "", resource.kind or ""
    version = context.kubernetes_version
    if (
        "metadata" not in resource.data
        or resource.api_group not in builtin_groups(version)
        or is_builtin(api_version, kind)
        or is_tool_document(resource)
    ):
        return
    use = replacement(version, api_version, kind)
    if use:
        yield Problem(
            ("apiVersion",),
            f"{kind} is not served under apiVersion {api_version}, so the API server "
            f"rejects it; use apiVersion: {use}",
        )
        return
    near = nearest_name(kind, {name for _, name in builtin_kinds(version)})
    hint = f"; did you mean {near}?" if near else ""
    yield Problem(
        ("kind",),
        f"{api_version} has no kind {kind}, so the API server rejects the object{hint}",
    )


def _crds_and_dotted_groups(resource: Resource) -> bool:
    """What `crd_schema` reads: the CRDs, and the objects of an API group with a
    dot, which hold every custom resource whatever the Kubernetes version."""
    return resource.kind == "CustomResourceDefinition" or "." in resource.api_group


@check(scope="run", reads=_crds_and_dotted_groups)
def crd_schema(index: RunIndex, context: CheckContext) -> Iterator[tuple[Resource, Problem]]:
    catalog: dict[tuple[str, str], list[CrdVersion]] = defaultdict(list)
    seen: set[tuple[Any, ...]] = set()
    for crd in index.of_kind("CustomResourceDefinition"):
        for version in crd_versions(crd):
            same = (version.crd_name, version.group, version.kind, version.version)
            same += (version.served, _schema_identity(version.source))
            if same not in seen:  # a CRD vendored twice validates as one: compiled once
                seen.add(same)
                catalog[(version.group, version.kind)].append(version)
    checks: dict[int, Check] = {}  # by id of a CrdVersion: one per run
    schemas: dict[int, Any] = {}  # likewise, converted whole only if a check fails
    validators: dict[int, Validator | None] = {}  # likewise, made only if jsonschema must word
    for resource in index.resources:
        if resource.context_only or not _is_custom_resource(resource, context):
            continue
        known = catalog.get((resource.api_group, resource.kind or ""))
        if not known:
            context.not_validated(resource)
            continue
        version = (resource.api_version or "").rpartition("/")[2]
        served = [v for v in known if v.version == version and v.served]
        if not served:
            yield resource, _not_served(resource, known)
            continue
        for problem in _fewest_errors(resource, served, checks, schemas, validators, context):
            yield resource, problem


def _schema_identity(source: Any) -> Any:
    """Equal for the same schema text (packed, `k8slint.kube.packed`), else the object."""
    return source if isinstance(source, PackedSchema) else id(source)


def _is_custom_resource(resource: Resource, context: CheckContext) -> bool:
    """A typed object of an API group with a dot (custom API groups must have one)
    that Kubernetes itself does not serve, and not a tool's file (Kustomization)."""
    api_version, kind, group = resource.api_version, resource.kind, resource.api_group
    if api_version is None or kind is None or "." not in group:
        return False
    if group in builtin_groups(context.kubernetes_version) or is_builtin(api_version, kind):
        return False
    return not is_tool_document(resource)


def _not_served(resource: Resource, known: list[CrdVersion]) -> Problem:
    served = sorted({v.api_version for v in known if v.served})
    names = ", ".join(sorted({v.crd_name for v in known}))
    return Problem(
        ("apiVersion",),
        f"{resource.api_version} is not a served version of {resource.kind} "
        f"(CustomResourceDefinition {names} serves {', '.join(served) or 'none'}), "
        "so the API server has no such type; use one of those",
    )


def _fewest_errors(
    resource: Resource,
    candidates: list[CrdVersion],
    checks: dict[int, Check],
    schemas: dict[int, Any],
    validators: dict[int, Validator | None],
    context: CheckContext,
) -> list[Problem]:
    """The problems against the CRD that fits best: a run may hold two CRDs of one
    kind (Gateway API's standard and experimental channels), and the cluster has
    one of them, so an object valid under either is valid."""
    best: list[Problem] | None = None
    version, strict = context.kubernetes_version, context.strict
    for candidate in candidates:
        key = id(candidate)
        if key in validators and validators[key] is None:
            continue  # its schema is broken
        data = with_defaults(candidate.defaulting, resource.data)
        try:
            if key not in checks:
                checks[key] = custom_resource_check(candidate, version, strict)
            if checks[key](data):
                return []
            if key not in schemas:
                schemas[key] = custom_resource_schema(candidate, version, strict)
            errors: list[Any] | None = violations(schemas[key], data)
            if errors is None:  # only jsonschema can word them
                if key not in validators:
                    validators[key] = custom_resource_validator(candidate, version, strict)
                validator = validators[key]
                if validator is None:
                    continue
                errors = list(validator.iter_errors(data))
        except broken_schema():
            validators[key] = None
            continue
        if not errors:
            return []
        translator = ErrorTranslator(
            (resource.kind or "").lower(),
            builtin_type_names(context.kubernetes_version, context.strict),
            is_kustomize_input(resource),
            context.kubernetes_version,
        )
        origin = f" (CustomResourceDefinition {candidate.crd_name})"
        found = [Problem(p.path, p.message + origin) for p in translator.problems(errors)]
        if best is None or len(found) < len(best):
            best = found
    if best is None and all(validators.get(id(c)) is None for c in candidates):
        context.not_validated(resource)  # no usable schema in any of its CRDs
    return best or []
