"""PodDisruptionBudgets (pkg/apis/policy/validation) and HorizontalPodAutoscalers
(pkg/apis/autoscaling/validation)."""

from __future__ import annotations

from typing import Any

from k8slint.checks.api_validation._base import Findings
from k8slint.checks.api_validation.selectors import check_selector
from k8slint.model import JsonPath

EVICTION_POLICIES = ("IfHealthyBudget", "AlwaysAllow")  # supportedUnhealthyPodEvictionPolicies
METRIC_TYPES = ("Object", "Pods", "Resource", "ContainerResource", "External")
TARGET_TYPES = ("Utilization", "Value", "AverageValue")  # validateMetricTarget
SELECT_POLICIES = ("Max", "Min", "Disabled")  # validateScalingRules
SCALING_POLICY_TYPES = ("Pods", "Percent")  # validateScalingPolicy


def check_pdb(found: Findings, spec: dict[str, Any]) -> None:
    """ValidatePodDisruptionBudgetSpec."""
    path: JsonPath = ("spec",)
    if "minAvailable" in spec and "maxUnavailable" in spec:
        found.add(
            (*path, "maxUnavailable"),
            "minAvailable and maxUnavailable may not both be set: keep one",
        )
    found.int_or_percent(spec, "minAvailable", path, at_most_100=True)
    found.int_or_percent(spec, "maxUnavailable", path, at_most_100=True)
    found.enum(spec, "unhealthyPodEvictionPolicy", path, EVICTION_POLICIES)
    check_selector(found, spec.get("selector"), (*path, "selector"))


def check_hpa(found: Findings, spec: dict[str, Any]) -> None:
    """ValidateHorizontalPodAutoscalerSpec (v1 and v2 share the replica bounds)."""
    path: JsonPath = ("spec",)
    low = found.integer(spec, "minReplicas")
    high = found.integer(spec, "maxReplicas")
    if low is not None and low < 1:
        # 0 needs the alpha HPAScaleToZero feature gate, off by default.
        found.add((*path, "minReplicas"), f"minReplicas must be at least 1, not {low}")
    if high is not None:
        if high < 1:
            found.add((*path, "maxReplicas"), f"maxReplicas must be at least 1, not {high}")
        elif low is not None and high < low:
            found.add(
                (*path, "maxReplicas"),
                f"maxReplicas {high} must not be less than minReplicas {low}",
            )
    found.at_least(spec, "targetCPUUtilizationPercentage", path, 1)
    for index, metric in found.items(spec, "metrics"):
        where = (*path, "metrics", index)
        kind = found.enum(metric, "type", where, METRIC_TYPES, "metric type")
        if kind is None:
            continue
        source_key = kind[0].lower() + kind[1:]
        source = found.mapping(metric, source_key)
        target = found.mapping(source, "target")
        target_path = (*where, source_key, "target")
        found.enum(target, "type", target_path, TARGET_TYPES, "target type")
        for key in ("value", "averageValue"):
            if key in target:
                found.quantity(target[key], (*target_path, key), key)
        found.at_least(target, "averageUtilization", target_path, 1)
    behavior = found.mapping(spec, "behavior")
    for direction in ("scaleUp", "scaleDown"):
        rules = found.mapping(behavior, direction)
        where = (*path, "behavior", direction)
        found.enum(rules, "selectPolicy", where, SELECT_POLICIES)
        window = found.integer(rules, "stabilizationWindowSeconds")
        if window is not None and not 0 <= window <= 3600:
            found.add(
                (*where, "stabilizationWindowSeconds"),
                f"stabilizationWindowSeconds must be between 0 and 3600, not {window}",
            )
        for number, policy in found.items(rules, "policies"):
            policy_path = (*where, "policies", number)
            found.enum(policy, "type", policy_path, SCALING_POLICY_TYPES, "policy type")
            found.at_least(policy, "value", policy_path, 1)
            period = found.integer(policy, "periodSeconds")
            if period is not None and not 1 <= period <= 1800:
                found.add(
                    (*policy_path, "periodSeconds"),
                    f"periodSeconds must be between 1 and 1800, not {period}",
                )
