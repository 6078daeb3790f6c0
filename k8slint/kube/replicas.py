"""How many pods a workload may run at once: what the storage and identity rules weigh.

A claim that one pod may hold, or a DNS name that only peers look up, matters
once a second replica exists. The count is `spec.replicas` (1 where absent, as
the API defaults it), unless a HorizontalPodAutoscaler of the application
scales the workload: then the HPA sets the count, up to its `maxReplicas`.
"""

from __future__ import annotations

from k8slint.kube.index import RunIndex, namespace_of, related, spec_of
from k8slint.model import Resource

DEFAULT_REPLICAS = 1


def declared_replicas(resource: Resource) -> int | None:
    """`spec.replicas`, the API default where absent; None where it is not an
    integer (a template placeholder), so that nothing is judged on a guess."""
    value = spec_of(resource).get("replicas", DEFAULT_REPLICAS)
    if value is None:
        return DEFAULT_REPLICAS
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def scalers(index: RunIndex, workload: Resource) -> list[Resource]:
    """The HPAs of the application whose scaleTargetRef names this workload."""
    return [
        hpa
        for hpa in index.scaling(namespace_of(workload), workload.kind or "", workload.name)
        if hpa.api_group == "autoscaling"
        and related(workload, hpa)
        and not index.alternatives(workload, hpa)
    ]


def most_replicas(index: RunIndex, workload: Resource) -> int | None:
    """The most pods the workload runs at once: the largest `maxReplicas` of the
    HPAs that scale it, else its own replica count; None where unknown."""
    limits = [spec_of(hpa).get("maxReplicas") for hpa in scalers(index, workload)]
    if not limits:
        return declared_replicas(workload)
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in limits):
        return None
    return max(limits)
