"""Label selectors outside workloads (PDB, NetworkPolicy, topology spread, pod
affinity) as ValidateLabelSelector (apimachinery metav1/validation) judges them.
A workload's own selector is selector-template-mismatch's, which reports the
same invalid terms there."""

from __future__ import annotations

from typing import Any

from k8slint.checks.api_validation._base import Findings
from k8slint.checks.api_validation.metadata import check_label_map
from k8slint.kube import names
from k8slint.kube.labels import parse_label_selector
from k8slint.model import JsonPath

_AFFINITY_TERMS = (
    ("podAffinity", "requiredDuringSchedulingIgnoredDuringExecution", False),
    ("podAffinity", "preferredDuringSchedulingIgnoredDuringExecution", True),
    ("podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution", False),
    ("podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution", True),
)


def check_selector(found: Findings, data: Any, path: JsonPath) -> None:
    """Operators and their values, and the syntax of keys and values."""
    if not isinstance(data, dict):
        return
    for where, error in parse_label_selector(data, path).errors:
        found.add(where, f"invalid selector term: {error}")
    check_label_map(found, found.mapping(data, "matchLabels"), (*path, "matchLabels"), "selector")
    for index, expression in found.items(data, "matchExpressions"):
        where = (*path, "matchExpressions", index)
        found.syntax(expression.get("key"), (*where, "key"), "selector key", names.qualified_name)
        values = expression.get("values")
        for number, value in enumerate(values if isinstance(values, list) else ()):
            found.syntax(value, (*where, "values", number), "selector value", names.label_value)


def check_pod_selectors(found: Findings, path: JsonPath, spec: dict[str, Any]) -> None:
    """The selectors inside a PodSpec: topology spread and pod (anti-)affinity terms."""
    for index, constraint in found.items(spec, "topologySpreadConstraints"):
        where = (*path, "topologySpreadConstraints", index, "labelSelector")
        check_selector(found, constraint.get("labelSelector"), where)
    affinity = found.mapping(spec, "affinity")
    for kind, when, weighted in _AFFINITY_TERMS:
        for index, term in found.items(found.mapping(affinity, kind), when):
            where: JsonPath = (*path, "affinity", kind, when, index)
            if weighted:
                term = found.mapping(term, "podAffinityTerm")
                where = (*where, "podAffinityTerm")
            for key in ("labelSelector", "namespaceSelector"):
                check_selector(found, term.get(key), (*where, key))
