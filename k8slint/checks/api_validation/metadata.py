"""ObjectMeta as ValidateObjectMeta (pkg/apis/core/validation, apimachinery's
api/validation/objectmeta.go) judges it: the name syntax of each kind, the
namespace, label keys and values, annotation keys and their total size."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from k8slint.checks.api_validation._base import Findings
from k8slint.kube import names
from k8slint.model import JsonPath

NameRule = Callable[[str], str | None]

_TOTAL_ANNOTATION_SIZE = 256 * 1024
"""TotalAnnotationSizeLimitB in apimachinery's ValidateAnnotations."""


def _cronjob_name(value: str) -> str | None:
    """ValidateCronJob: a DNS subdomain of at most 52 characters, so that the Job
    names it generates (the name plus an 11-character suffix) stay DNS labels."""
    if len(value) > 52:
        return "must be no more than 52 characters (its Jobs' names add 11)"
    return names.dns1123_subdomain(value)


NAME_RULES: dict[str, NameRule] = {
    # NameIsDNSSubdomain: ValidatePodName, ValidateReplicationControllerName,
    # ValidateConfigMapName, ValidateSecretName, ValidateServiceAccountName,
    # ValidatePersistentVolumeName, apps' ValidateDeploymentName (and the others),
    # ValidateIngressName, ValidateNetworkPolicyName, ValidatePodDisruptionBudget,
    # ValidateHorizontalPodAutoscalerName.
    **dict.fromkeys(
        (
            "Pod",
            "PodTemplate",
            "ReplicationController",
            "ConfigMap",
            "Secret",
            "ServiceAccount",
            "PersistentVolumeClaim",
            "Deployment",
            "ReplicaSet",
            "StatefulSet",
            "DaemonSet",
            "Job",
            "Ingress",
            "IngressClass",
            "NetworkPolicy",
            "PodDisruptionBudget",
            "HorizontalPodAutoscaler",
        ),
        names.dns1123_subdomain,
    ),
    # ValidateNamespaceName: a DNS label. Service names are DNS labels too
    # (ValidateServiceName: DNS-1035 before RelaxedServiceNameValidation, which only
    # adds a leading digit; the stricter first-letter rule is not judged here).
    "Namespace": names.dns1123_label,
    "Service": names.dns1123_label,
    "CronJob": _cronjob_name,
    # ValidateRBACName: path.IsValidPathSegmentName.
    **dict.fromkeys(
        ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"), names.path_segment_name
    ),
}

CLUSTER_SCOPED = frozenset({"Namespace", "ClusterRole", "ClusterRoleBinding", "IngressClass"})


def check_object_meta(found: Findings, kind: str, metadata: dict[str, Any]) -> None:
    path: JsonPath = ("metadata",)
    name = metadata.get("name")
    if isinstance(name, str) and name:
        found.syntax(name, (*path, "name"), f"{kind} name", NAME_RULES[kind])
    namespace = metadata.get("namespace")
    if kind not in CLUSTER_SCOPED and isinstance(namespace, str) and namespace:
        found.syntax(namespace, (*path, "namespace"), "namespace", names.dns1123_label)
    check_labels_and_annotations(found, metadata, path)


def check_labels_and_annotations(found: Findings, metadata: Any, path: JsonPath) -> None:
    """ValidateLabels and ValidateAnnotations, for an object's or a template's metadata."""
    labels = found.mapping(metadata, "labels")
    check_label_map(found, labels, (*path, "labels"), "label")
    annotations = found.mapping(metadata, "annotations")
    size = 0
    for key, value in annotations.items():
        # ValidateAnnotations lower-cases the key first: upper case is allowed.
        if isinstance(key, str) and names.qualified_name(key.lower()):
            error = names.qualified_name(key.lower())
            found.add((*path, "annotations", key), f"annotation key {key!r} {error}")
        size += len(str(key)) + (len(value) if isinstance(value, str) else 0)
    if size > _TOTAL_ANNOTATION_SIZE:
        found.add(
            (*path, "annotations"),
            f"annotations total {size} bytes, more than the limit of {_TOTAL_ANNOTATION_SIZE}",
        )


def check_label_map(found: Findings, labels: dict[str, Any], path: JsonPath, what: str) -> None:
    """ValidateLabels: keys are qualified names, values label values (also nodeSelector)."""
    for key, value in labels.items():
        if not isinstance(key, str):
            continue
        error = names.qualified_name(key)
        if error:
            found.add((*path, key), f"{what} key {key!r} {error}")
        elif isinstance(value, str):
            found.syntax(value, (*path, key), f"{what} value of {key}", names.label_value)
