"""How many replicas run, and who decides it: HPAs and PodDisruptionBudgets.

An HPA writes its target's replica count; two HPAs on one target contradict
each other. A PodDisruptionBudget lets the eviction API take a pod only while
enough others stay available; a budget that no replica count can satisfy
blocks every voluntary eviction, so `kubectl drain` and cluster upgrades wait
forever on its pods.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterator

from k8slint.checks.api import CheckContext, check
from k8slint.kube.index import PodTemplate, RunIndex, namespace_of, related, spec_of
from k8slint.kube.labels import parse_label_selector
from k8slint.kube.resolution import application_of, listing
from k8slint.model import Problem, Resource

Found = Iterator[tuple[Resource, Problem]]
Target = tuple[str, str, str]
"""(namespace, kind, name) of an HPA's scaleTargetRef."""

_REPLICATED = frozenset({"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"})
_PERCENT = re.compile(r"^(\d+)%$")


def _hpas_by_target(index: RunIndex) -> dict[Target, list[Resource]]:
    found: dict[Target, list[Resource]] = defaultdict(list)
    for hpa in index.of_kind("HorizontalPodAutoscaler"):
        ref = spec_of(hpa).get("scaleTargetRef")
        if hpa.api_group != "autoscaling" or not isinstance(ref, dict):
            continue
        kind, name = ref.get("kind"), ref.get("name")
        if isinstance(kind, str) and isinstance(name, str):
            found[(namespace_of(hpa), kind, name)].append(hpa)
    return found


@check(scope="run", per_component=True)
def hpa_target_conflict(index: RunIndex, context: CheckContext) -> Found:
    for (_, kind, name), hpas in _hpas_by_target(index).items():
        for hpa in hpas:
            app = application_of(index, hpa)
            rivals = [
                other.name or "<unnamed>"
                for other in hpas
                if other is not hpa and app.holds(other) and not index.alternatives(hpa, other)
            ]
            if rivals:
                yield hpa, _conflict(kind, name, rivals)


def _conflict(kind: str, name: str, rivals: list[str]) -> Problem:
    others = f"HorizontalPodAutoscaler{'s' if len(rivals) > 1 else ''} {listing(sorted(rivals))}"
    return Problem(
        ("spec", "scaleTargetRef", "name"),
        f"{others} also scale{'' if len(rivals) > 1 else 's'} {kind} {name}: two HPAs on one "
        "workload contradict each other (the controller now disables both, ScalingActive=False "
        "with reason AmbiguousSelector; older versions let each override the other's replica "
        "count); keep one HPA per workload, with all the metrics in it",
    )


@check(scope="run", per_component=True)
def pdb_blocks_eviction(index: RunIndex, context: CheckContext) -> Found:
    hpas = _hpas_by_target(index)
    for pdb in index.of_kind("PodDisruptionBudget"):
        if pdb.api_group != "policy":
            continue
        spec = spec_of(pdb)
        if parse_label_selector(spec.get("selector"), ("spec", "selector")).selects_nothing:
            continue  # selects no pods: pdb-selector-no-match's business
        if "maxUnavailable" in spec and _is_zero(spec["maxUnavailable"]):
            yield pdb, _no_disruption_allowed(spec["maxUnavailable"])
            continue
        problem = _min_available_problem(index, hpas, pdb, spec.get("minAvailable"))
        if problem:
            yield pdb, problem


def _is_zero(value: object) -> bool:
    return (isinstance(value, int) and not isinstance(value, bool) and value == 0) or (
        value == "0%"
    )


def _no_disruption_allowed(value: object) -> Problem:
    return Problem(
        ("spec", "maxUnavailable"),
        f"maxUnavailable {value} allows no pod it selects to be evicted: node drains (kubectl "
        "drain, cluster upgrades, autoscaler scale-down) wait on these pods forever; allow at "
        "least one (maxUnavailable: 1)",
    )


def _min_available_problem(
    index: RunIndex, hpas: dict[Target, list[Resource]], pdb: Resource, value: object
) -> Problem | None:
    """minAvailable at or above the replicas of all the pods it selects (with an
    HPA, at its minReplicas): the eviction API then allows no disruption."""
    wanted = _min_available(value)
    if wanted is None:
        return None
    selector = parse_label_selector(spec_of(pdb).get("selector"), ("spec", "selector"))
    if not selector.valid or selector.selects_nothing:
        return None
    namespace = namespace_of(pdb)
    selected = application_of(index, pdb).selected(namespace, selector)
    counts = [_replicas(t, hpas) for t in selected]
    if not selected or any(count is None for count in counts):
        return None  # nothing selected, or a DaemonSet/Job/templated count: not judged
    total = sum(count for count in counts if count is not None)
    count, is_percent = wanted
    required = math.ceil(count * total / 100) if is_percent else count
    if total == 0 or required < total:
        return None
    described = listing([f"{t.title} ({_described(t, hpas)})" for t in selected])
    return Problem(
        ("spec", "minAvailable"),
        f"minAvailable {value} keeps all {total} pod{'s' if total > 1 else ''} it selects "
        f"available ({described}): no pod may ever be evicted, so node drains (kubectl drain, "
        "cluster upgrades, autoscaler scale-down) wait on them forever; require fewer than "
        "the replica count (or use maxUnavailable: 1), or run more replicas",
    )


def _min_available(value: object) -> tuple[int, bool] | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value, False
    match = _PERCENT.match(value) if isinstance(value, str) else None
    return (int(match.group(1)), True) if match else None


def _scaler(template: PodTemplate, hpas: dict[Target, list[Resource]]) -> Resource | None:
    resource = template.resource
    found = hpas.get((namespace_of(resource), resource.kind or "", resource.name or ""), [])
    return next((hpa for hpa in found if related(hpa, resource)), None)


def _replicas(template: PodTemplate, hpas: dict[Target, list[Resource]]) -> int | None:
    """The fewest pods it runs: an HPA's minReplicas, else spec.replicas (default 1);
    None where the manifest does not say (DaemonSet, Job, a templated value)."""
    resource = template.resource
    if resource.kind == "Pod":
        return 1
    if resource.kind not in _REPLICATED:
        return None
    scaler = _scaler(template, hpas)
    value = (
        spec_of(scaler).get("minReplicas", 1) if scaler else spec_of(resource).get("replicas", 1)
    )
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _described(template: PodTemplate, hpas: dict[Target, list[Resource]]) -> str:
    scaler = _scaler(template, hpas)
    count = _replicas(template, hpas)
    if scaler is not None:
        return f"HorizontalPodAutoscaler {scaler.name} minReplicas {count}"
    return f"{count} replica{'s' if count != 1 else ''}"
