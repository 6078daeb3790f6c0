"""A controller knows its pods only by labels.

The Deployment controller lists the pods that carry its selector's labels,
counts them (actual state), compares with `replicas` (desired state) and
creates or deletes pods. A selector that does not select the controller's own
template, that is missing, or that also selects another controller's pods
breaks that loop; these checks find each case.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import NamedTuple

from k8slint.checks.api import CheckContext, check
from k8slint.kube.filekinds import is_kustomize_input
from k8slint.kube.index import (
    PodTemplate,
    RunIndex,
    namespace_of,
    pod_template,
    related,
    spec_of,
)
from k8slint.kube.kinds import get_path, is_workload
from k8slint.kube.labels import (
    Requirement,
    Selector,
    format_labels,
    intersects,
    parse_label_selector,
    parse_map_selector,
)
from k8slint.kube.nearness import similar
from k8slint.model import Edit, Fix, JsonPath, Problem, Resource, format_path

_REQUIRED_SELECTOR_KINDS = frozenset({"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"})
_SELECTOR_REQUIRED_VERSIONS = frozenset({"apps/v1", "apps/v1beta2"})
"""Older groups (extensions/v1beta1, apps/v1beta1) defaulted the selector from the
template labels; apps/v1beta2 and apps/v1 require it."""


class ControllerSelector(NamedTuple):
    """The selector a controller uses for its pods, where it was written."""

    selector: Selector
    path: JsonPath
    template: PodTemplate
    written: bool
    """False where the API defaults the selector from the template labels."""


def _job_spec_path(resource: Resource) -> JsonPath | None:
    if resource.kind == "Job":
        return ("spec",)
    if resource.kind == "CronJob":
        return ("spec", "jobTemplate", "spec")
    return None


def controller_selector(resource: Resource) -> ControllerSelector | None:
    """The selector of a pod-creating controller; None for Pods, generated Job
    selectors and Kustomize inputs (`PodTemplate.complete`)."""
    template = pod_template(resource)
    if template is None or not template.complete:
        return None
    return _selector_of(resource, template)


def _selector_of(resource: Resource, template: PodTemplate) -> ControllerSelector | None:
    """`controller_selector`, whether or not the template is complete."""
    if resource.kind == "Pod":
        return None
    job_spec = _job_spec_path(resource)
    if job_spec is not None:
        path = (*job_spec, "selector")
        manual = get_path(resource.data, (*job_spec, "manualSelector")) is True
        if not manual or get_path(resource.data, path) is None:
            return None  # generated (unique per Job), or rejected by the API
    else:
        path = ("spec", "selector")
    data = get_path(resource.data, path)
    if data is None:
        if resource.kind == "ReplicationController" or resource.api_version not in (
            _SELECTOR_REQUIRED_VERSIONS
        ):
            defaulted = parse_map_selector(template.labels, template.labels_path)
            return ControllerSelector(defaulted, path, template, written=False)
        return None
    if resource.kind == "ReplicationController":
        return ControllerSelector(parse_map_selector(data, path), path, template, True)
    return ControllerSelector(parse_label_selector(data, path), path, template, True)


@check(scope="resource", applies_to=is_workload)
def selector_template_mismatch(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    template = pod_template(resource)
    found = None if template is None else _selector_of(resource, template)
    if found is None or not found.written:
        return
    problems = list(_mismatches(resource, found))
    # Whether it is a Kustomize input (whose selector is judged once built) is
    # asked only where there is something to report: it walks the whole object.
    if problems and found.template.complete:
        yield from problems


def _mismatches(resource: Resource, found: ControllerSelector) -> Iterator[Problem]:
    where = format_path(found.template.labels_path)
    for path, error in found.selector.errors:
        yield Problem(
            path,
            f"invalid selector term: {error}; the API rejects the {resource.kind} "
            "(it cannot tell which pods are its own)",
        )
    labels = found.template.labels
    for term in found.selector.failing(labels):
        value = next(iter(term.values)) if len(term.values) == 1 else None
        near = labels.get(term.key)
        typo = (
            term.operator == "In"
            and term.path[-1] == term.key
            and value is not None
            and near is not None
            and similar(value, near)
        )
        yield Problem(
            term.path,
            f"selector term {term.describe()} does not select this {resource.kind}'s own pods: "
            f"{where} has {format_labels(labels, [term.key])}; the API rejects a selector that "
            "does not match the template labels (the controller would never find the pods it "
            f"creates); make the term and {where} agree",
            # unsafe: which side is misspelt is a guess, and an existing controller's
            # selector cannot be changed in place
            fix=Fix("unsafe", (Edit("set", term.path, value=json.dumps(near)),)) if typo else None,
        )


@check(scope="resource", applies_to=is_workload)
def selector_missing(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    if resource.kind not in _REQUIRED_SELECTOR_KINDS or (
        resource.api_version not in _SELECTOR_REQUIRED_VERSIONS
    ):
        return
    template = pod_template(resource)
    selector = spec_of(resource).get("selector")
    if template is None or not (selector is None or _selects_everything(selector)):
        return
    if is_kustomize_input(resource):
        return  # a patch or base: the selector is there once Kustomize builds it
    labels = f" ({format_labels(template.labels)})" if template.labels else ""
    fix = (
        Fix("safe", (Edit("copy", template.labels_path, ("spec", "selector", "matchLabels")),))
        if template.labels and template.labels_path == ("spec", "template", "metadata", "labels")
        else None
    )
    if selector is None:
        yield Problem(
            ("spec", "selector"),  # where it is missing: the engine places it on `spec`
            f"{resource.kind} {resource.name} has no spec.selector; {resource.api_version} "
            "requires one (it is no longer defaulted from the template labels); add "
            f"spec.selector.matchLabels with the pod template's labels{labels}",
            fix=fix,
        )
    else:
        yield Problem(
            ("spec", "selector"),
            f"spec.selector is empty: it would select every pod in the namespace, so "
            f"{resource.api_version} rejects it; select the pod template's labels{labels}",
            fix=fix if selector == {} else None,
        )


def _selects_everything(selector: object) -> bool:
    parsed = parse_label_selector(selector, ())
    return parsed.valid and parsed.selects_everything


@check(scope="resource", applies_to=is_workload)
def job_selector_manual(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    job_spec = _job_spec_path(resource)
    if job_spec is None or resource.api_group != "batch":
        return
    selector_path = (*job_spec, "selector")
    if get_path(resource.data, selector_path) is None:
        return
    if get_path(resource.data, (*job_spec, "manualSelector")) is True:
        return
    yield Problem(
        selector_path,
        f"{format_path(selector_path)} is set without manualSelector: true; the API generates "
        "a Job's selector (a unique controller-uid) and rejects a hand-written one "
        "('`selector` not auto-generated'); remove the selector, or set "
        f"{format_path((*job_spec, 'manualSelector'))}: true if these labels are unique "
        "to this Job",
    )


@check(scope="run", per_component=True)
def selector_overlap(index: RunIndex, context: CheckContext) -> Iterator[tuple[Resource, Problem]]:
    by_namespace: dict[str, list[ControllerSelector]] = defaultdict(list)
    for resource in index.resources:
        found = controller_selector(resource)
        if found is not None and found.selector.valid and found.selector.requirements:
            by_namespace[namespace_of(resource)].append(found)
    for controllers in by_namespace.values():
        for position, later in _pairs_that_may_overlap(controllers):
            first, second = controllers[position], controllers[later]
            one, other = first.template.resource, second.template.resource
            if _variants(index, one, other):
                continue
            if not intersects(first.selector, second.selector):
                continue
            first_takes = first.selector.matches(second.template.labels)
            second_takes = second.selector.matches(first.template.labels)
            if not (first_takes or second_takes):
                continue
            yield first.template.resource, _overlap(first, second, first_takes)
            yield second.template.resource, _overlap(second, first, second_takes)


def _pairs_that_may_overlap(controllers: list[ControllerSelector]) -> Iterator[tuple[int, int]]:
    """The pairs (lower position first), each once, where one selector could take
    the other's pods.

    An overlap needs one selector to match the other's template labels, so
    each selector is looked up, by the `In` (matchLabels) or `Exists` term that
    the fewest templates satisfy, among the templates' labels: linear in the
    objects where comparing every pair was quadratic (a file of 100,000
    Deployments never finished), even when every template shares one label.
    Pairs are yielded as found, not gathered first: where many copies of one
    application share a namespace they are many, and a pair found from both
    sides is yielded from the lower position's only (its narrowing term, or
    None for "every template", says whether that side found it).
    """
    by_label: dict[tuple[str, str], list[int]] = defaultdict(list)
    by_key: dict[str, list[int]] = defaultdict(list)
    for position, controller in enumerate(controllers):
        for key, value in controller.template.labels.items():
            by_label[(key, value)].append(position)
            by_key[key].append(position)
    everyone = range(len(controllers))
    narrowing: list[Requirement | None] = []
    candidates: list[Sequence[int]] = []
    for controller in controllers:
        takes: Sequence[int] = everyone
        chosen: Requirement | None = None
        for term in controller.selector.requirements:
            if term.operator == "In":
                found: Sequence[int] = [
                    p for v in term.values for p in by_label.get((term.key, v), ())
                ]
            elif term.operator == "Exists":
                found = by_key.get(term.key, ())
            else:
                continue
            if len(found) < len(takes):
                takes, chosen = found, term
        narrowing.append(chosen)
        candidates.append(takes)
    for position, takes in enumerate(candidates):
        labels = controllers[position].template.labels
        for other in takes:
            if other > position:
                yield position, other
            elif other < position:
                term = narrowing[other]
                if term is not None and not term.matches(labels):
                    yield other, position  # the lower one's lookup did not find this pair


def _variants(index: RunIndex, one: Resource, other: Resource) -> bool:
    """Two forms of one workload, never applied together: unrelated directories,
    alternative files (`RunIndex.alternatives`), or the same name (the Deployment
    that replaced a ReplicationController, a StatefulSet form of a Deployment)."""
    return one.name == other.name or not related(one, other) or index.alternatives(one, other)


def _overlap(own: ControllerSelector, other: ControllerSelector, own_takes: bool) -> Problem:
    mine = own.template.resource
    theirs = other.template.title
    if own_takes:
        what = (
            f"selector {own.selector.describe()} also selects the pods of {theirs} "
            f"({format_labels(other.template.labels)})"
        )
    else:
        what = (
            f"this {mine.kind}'s pods ({format_labels(own.template.labels)}) are also selected "
            f"by {theirs}'s selector {other.selector.describe()}"
        )
    return Problem(
        own.path if own.written else own.template.labels_path,
        f"{what} in namespace {namespace_of(mine)}: controllers with overlapping selectors may "
        "conflict (Kubernetes does not stop it, and documents it as unsupported), and an HPA "
        "or PDB using this selector counts both workloads' pods; give each template a "
        "distinguishing label and select it",
    )
