"""api-validation: what the API server's validation rejects that the schema does not say.

The OpenAPI schema gives fields and types; the server's validation code
(kubernetes/kubernetes pkg/apis/*/validation, apimachinery's validation
helpers) and its decoders refuse much more: names of the wrong syntax, ports
out of range, values outside fixed sets, quantities that do not parse,
one-of fields set twice, Job pods that would restart forever. Each module of
this package encodes one area and cites the upstream function it follows.

Only built-in kinds served by the API server are judged (a custom resource is
validated by its CRD's schema alone); a value of the wrong type is left to
`schema`; a missing part of a Kustomize input (patch, or base awaiting an
overlay) is not judged, since the built object may have it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from k8slint.checks.api import CheckContext, check
from k8slint.checks.api_validation import networking, policy, rbac, service, storage, workloads
from k8slint.checks.api_validation._base import Findings
from k8slint.checks.api_validation.metadata import NAME_RULES, check_object_meta
from k8slint.checks.api_validation.pod import check_pod
from k8slint.kube.filekinds import is_kustomize_input
from k8slint.kube.kinds import get_path, pod_spec, workload_kind
from k8slint.model import Problem, Resource

_GROUPS: dict[str, frozenset[str]] = {
    # kind -> the API groups whose version of the kind these checks describe
    **dict.fromkeys(
        (
            "Pod",
            "PodTemplate",
            "ReplicationController",
            "Service",
            "ConfigMap",
            "Secret",
            "ServiceAccount",
            "PersistentVolumeClaim",
            "Namespace",
        ),
        frozenset({""}),
    ),
    **dict.fromkeys(("Deployment", "ReplicaSet", "DaemonSet"), frozenset({"apps", "extensions"})),
    "StatefulSet": frozenset({"apps"}),
    "Job": frozenset({"batch"}),
    "CronJob": frozenset({"batch"}),
    "Ingress": frozenset({"networking.k8s.io"}),
    "IngressClass": frozenset({"networking.k8s.io"}),
    "NetworkPolicy": frozenset({"networking.k8s.io", "extensions"}),
    "PodDisruptionBudget": frozenset({"policy"}),
    "HorizontalPodAutoscaler": frozenset({"autoscaling"}),
    **dict.fromkeys(
        ("Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"),
        frozenset({"rbac.authorization.k8s.io"}),
    ),
}

Spec = Callable[[Findings, dict[str, Any]], None]

_SPECS: dict[str, Spec] = {
    "Deployment": workloads.check_deployment,
    "ReplicaSet": workloads.check_replica_set,
    "ReplicationController": workloads.check_replica_set,
    "DaemonSet": workloads.check_daemon_set,
    "StatefulSet": workloads.check_stateful_set,
    "Job": workloads.check_job,
    "CronJob": workloads.check_cron_job,
    "Service": service.check_service,
    "NetworkPolicy": networking.check_network_policy,
    "PodDisruptionBudget": policy.check_pdb,
    "HorizontalPodAutoscaler": policy.check_hpa,
    "PersistentVolumeClaim": lambda found, spec: storage.check_claim_spec(found, spec, ("spec",)),
}


def _judged(resource: Resource) -> bool:
    """A kind these checks describe, of an API group whose version they describe
    (no apiVersion or kind: object-invalid's)."""
    kind = resource.kind
    if resource.api_version is None or kind is None:
        return False
    return resource.api_group in _GROUPS.get(kind, ())


@check(scope="resource", applies_to=_judged)
def api_validation(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    kind = resource.kind
    if kind is None or not _judged(resource):
        return
    data = resource.data
    found = Findings(context.kubernetes_version, lambda: is_kustomize_input(resource))
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and kind in NAME_RULES:
        check_object_meta(found, kind, metadata)
    spec = data.get("spec")
    spec = spec if isinstance(spec, dict) else {}
    if kind in _SPECS:
        _SPECS[kind](found, spec)
    if kind == "Ingress" and resource.api_version == "networking.k8s.io/v1":
        networking.check_ingress(found, spec)
    _others(found, kind, data)
    workload = workload_kind(resource)
    pod = pod_spec(resource)
    if workload is not None and pod is not None:
        check_pod(found, workload, data, pod.spec)
    yield from found.problems


def _others(found: Findings, kind: str, data: dict[str, Any]) -> None:
    """Kinds whose content is not under `spec`."""
    if kind == "ConfigMap":
        storage.check_config_map(found, data)
    elif kind == "Secret":
        storage.check_secret(found, data)
    elif kind in ("Role", "ClusterRole"):
        rbac.check_role(found, data, namespaced=kind == "Role")
    elif kind in ("RoleBinding", "ClusterRoleBinding"):
        rbac.check_binding(found, data, namespaced=kind == "RoleBinding")
    elif kind == "StatefulSet":
        templates = get_path(data, ("spec", "volumeClaimTemplates"))
        for index, template in enumerate(templates if isinstance(templates, list) else ()):
            claim = template.get("spec") if isinstance(template, dict) else None
            if isinstance(claim, dict):
                storage.check_claim_spec(
                    found, claim, ("spec", "volumeClaimTemplates", index, "spec")
                )
