"""Mechanical rewrites of removed API versions, from Kubernetes' Deprecated API Migration Guide.

Each entry rewrites an object of a removed apiVersion into its replacement
exactly as the guide describes the notable changes; anything the guide calls
a change of meaning (an empty PodDisruptionBudget selector selects every pod
in policy/v1, none in v1beta1) makes the object not migratable here. The
caller validates the result against the target version's schema before
offering it, so a field the new version dropped (`rollbackTo`) also stops it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from k8slint.model import Edit, JsonPath

Rewrite = Callable[[dict[str, Any]], Iterator[Edit] | None]


def _dig(data: Any, *keys: str) -> Any:
    """The value at `keys`, or None where the object has another shape (schema says so)."""
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _set(path: JsonPath, value: Any, before: str = "") -> Edit:
    return Edit("set", path, value=json.dumps(value), before=before)


def _workload(data: dict[str, Any]) -> Iterator[Edit]:
    """extensions/v1beta1, apps/v1beta1, apps/v1beta2 to apps/v1: the selector, which
    the old groups defaulted from the template labels, is now required."""
    spec = data.get("spec")
    if isinstance(spec, dict) and spec.get("selector") is None:
        labels = _dig(spec, "template", "metadata", "labels")
        if isinstance(labels, dict) and labels:
            yield Edit(
                "copy",
                ("spec", "template", "metadata", "labels"),
                ("spec", "selector", "matchLabels"),
                before="template",
            )


def _on_delete_by_default(data: dict[str, Any]) -> Iterator[Edit] | None:
    """extensions/v1beta1 DaemonSets and apps/v1beta1 StatefulSets update their pods only
    when deleted (`OnDelete`) unless told otherwise; apps/v1 rolls them by default. The
    old default is written out, so the migrated object still waits for deletions."""
    spec = data.get("spec")
    strategy = spec.get("updateStrategy") if isinstance(spec, dict) else None
    if isinstance(strategy, dict) and "type" not in strategy:
        return None  # a strategy without a type: not the guide's mechanical case
    edits = list(_workload(data))
    if strategy is None:
        edits.append(_set(("spec", "updateStrategy"), {"type": "OnDelete"}, before="template"))
    return iter(edits)


def _ingress_backend(backend: Any, path: JsonPath) -> Iterator[Edit]:
    """serviceName/servicePort to service.name and service.port.number (or .name)."""
    if not isinstance(backend, dict) or "serviceName" not in backend:
        return
    yield Edit("move", (*path, "serviceName"), (*path, "service", "name"))
    port = backend.get("servicePort")
    if port is not None:
        field = "number" if isinstance(port, int) and not isinstance(port, bool) else "name"
        yield Edit("move", (*path, "servicePort"), (*path, "service", "port", field))


def _ingress(data: dict[str, Any]) -> Iterator[Edit]:
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return
    if "backend" in spec:
        yield from _ingress_backend(spec["backend"], ("spec", "backend"))
        yield Edit("rename", ("spec", "backend"), new_key="defaultBackend")
    rules = spec.get("rules")
    for r, rule in enumerate(rules if isinstance(rules, list) else []):
        paths = _dig(rule, "http", "paths")
        for p, item in enumerate(paths if isinstance(paths, list) else []):
            if not isinstance(item, dict):
                continue
            where: JsonPath = ("spec", "rules", r, "http", "paths", p)
            yield from _ingress_backend(item.get("backend"), (*where, "backend"))
            if "pathType" not in item:  # the undefined v1beta1 behaviour, says the guide
                yield _set((*where, "pathType"), "ImplementationSpecific", before="backend")


def _pdb(data: dict[str, Any]) -> Iterator[Edit] | None:
    """An empty selector selected no pod in v1beta1 and selects every pod in v1."""
    selector = _dig(data, "spec", "selector")
    if selector == {}:
        return None
    return iter(())


_TARGET = {"type", "averageUtilization", "averageValue", "value"}


def _metric_target(source: JsonPath, kind: str, field: str) -> list[Edit]:
    """v2beta1's target fields into v2's MetricTarget (`target: {type, ...}`)."""
    return [
        Edit("move", source, (*source[:-1], "target", field)),
        _set((*source[:-1], "target", "type"), kind, before=field),
    ]


_V2BETA1_TARGETS = {
    "targetAverageUtilization": ("Utilization", "averageUtilization"),
    "targetAverageValue": ("AverageValue", "averageValue"),
    "targetValue": ("Value", "value"),
    "averageValue": ("AverageValue", "averageValue"),
}


def _hpa_v2beta1(data: dict[str, Any]) -> Iterator[Edit] | None:
    """autoscaling/v2beta1 to v2: each metric's target becomes a MetricTarget, and
    metricName/selector become a MetricIdentifier (`metric: {name, selector}`)."""
    metrics = _dig(data, "spec", "metrics") or []
    if not isinstance(metrics, list):
        return None
    edits: list[Edit] = []
    for m, metric in enumerate(metrics):
        if not isinstance(metric, dict):
            return None
        kind = str(metric.get("type", "")).lower()
        source = metric.get(kind)
        if not isinstance(source, dict):
            return None
        where: JsonPath = ("spec", "metrics", m, kind)
        targets = [key for key in _V2BETA1_TARGETS if key in source]
        if len(targets) != 1:
            return None  # no target, or a value and an average: no single v2 target
        if kind == "object" and "target" in source:
            edits.append(Edit("rename", (*where, "target"), new_key="describedObject"))
        for name, new in (
            ("metricName", "name"),
            ("selector", "selector"),
            ("metricSelector", "selector"),
        ):
            if name in source:
                edits.append(Edit("move", (*where, name), (*where, "metric", new)))
        target_kind, field = _V2BETA1_TARGETS[targets[0]]
        edits += _metric_target((*where, targets[0]), target_kind, field)
    return iter(edits)


def _priority_level(data: dict[str, Any]) -> Iterator[Edit] | None:
    """flowcontrol v1beta1-v1beta3 to v1: `assuredConcurrencyShares` (before v1beta3)
    is `nominalConcurrencyShares`; an explicit 0 was read as 30 before v1 and is 0 in
    v1, so a 0 is not migrated."""
    limited = _dig(data, "spec", "limited")
    if not isinstance(limited, dict):
        return iter(())
    old, new = "assuredConcurrencyShares", "nominalConcurrencyShares"
    if limited.get(old) == 0 or limited.get(new) == 0:
        return None
    if old in limited and new not in limited:
        return iter((Edit("rename", ("spec", "limited", old), new_key=new),))
    return iter(())


def _none(data: dict[str, Any]) -> Iterator[Edit]:
    return iter(())


_WORKLOADS = ("Deployment", "DaemonSet", "ReplicaSet", "StatefulSet")
_SAME_FIELDS = {
    ("batch/v1beta1", "CronJob"): "batch/v1",
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler"): "autoscaling/v2",
    ("extensions/v1beta1", "NetworkPolicy"): "networking.k8s.io/v1",
    ("networking.k8s.io/v1beta1", "IngressClass"): "networking.k8s.io/v1",
    ("scheduling.k8s.io/v1beta1", "PriorityClass"): "scheduling.k8s.io/v1",
    ("scheduling.k8s.io/v1alpha1", "PriorityClass"): "scheduling.k8s.io/v1",
    ("storage.k8s.io/v1beta1", "StorageClass"): "storage.k8s.io/v1",
    ("storage.k8s.io/v1beta1", "CSIDriver"): "storage.k8s.io/v1",
    ("storage.k8s.io/v1beta1", "CSINode"): "storage.k8s.io/v1",
    ("storage.k8s.io/v1beta1", "VolumeAttachment"): "storage.k8s.io/v1",
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity"): "storage.k8s.io/v1",
    ("coordination.k8s.io/v1beta1", "Lease"): "coordination.k8s.io/v1",
    ("apiregistration.k8s.io/v1beta1", "APIService"): "apiregistration.k8s.io/v1",
    ("node.k8s.io/v1beta1", "RuntimeClass"): "node.k8s.io/v1",
    ("discovery.k8s.io/v1beta1", "EndpointSlice"): "discovery.k8s.io/v1",
    **{
        ("rbac.authorization.k8s.io/" + version, kind): "rbac.authorization.k8s.io/v1"
        for version in ("v1beta1", "v1alpha1")
        for kind in ("Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding")
    },
}

MIGRATIONS: dict[tuple[str, str], tuple[str, Rewrite]] = {
    **{key: (target, _none) for key, target in _SAME_FIELDS.items()},
    **{
        (group, kind): ("apps/v1", _workload)
        for group in ("extensions/v1beta1", "apps/v1beta1", "apps/v1beta2")
        for kind in _WORKLOADS
        if not (group == "extensions/v1beta1" and kind == "StatefulSet")
        and not (group == "apps/v1beta1" and kind in ("DaemonSet", "ReplicaSet"))
    },
    ("extensions/v1beta1", "DaemonSet"): ("apps/v1", _on_delete_by_default),
    ("apps/v1beta1", "StatefulSet"): ("apps/v1", _on_delete_by_default),
    ("extensions/v1beta1", "Ingress"): ("networking.k8s.io/v1", _ingress),
    ("networking.k8s.io/v1beta1", "Ingress"): ("networking.k8s.io/v1", _ingress),
    ("policy/v1beta1", "PodDisruptionBudget"): ("policy/v1", _pdb),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler"): ("autoscaling/v2", _hpa_v2beta1),
    **{
        (f"flowcontrol.apiserver.k8s.io/{version}", kind): (
            "flowcontrol.apiserver.k8s.io/v1",
            _priority_level if kind == "PriorityLevelConfiguration" else _none,
        )
        for version in ("v1beta1", "v1beta2", "v1beta3")
        for kind in ("FlowSchema", "PriorityLevelConfiguration")
    },
}


def migration(
    api_version: str, kind: str, data: dict[str, Any]
) -> tuple[str, tuple[Edit, ...]] | None:
    """(new apiVersion, the edits) for a mechanical migration of this object, if there is one."""
    entry = MIGRATIONS.get((api_version, kind))
    if entry is None:
        return None
    target, rewrite = entry
    edits = rewrite(data)
    if edits is None:
        return None
    return target, (_set(("apiVersion",), target), *edits)
