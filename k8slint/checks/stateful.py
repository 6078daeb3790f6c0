"""Stateful applications: storage that belongs to one pod, and rollouts that must wait for it.

A PersistentVolumeClaim that requests ReadWriteOnce attaches its volume to one
node at a time (pods on that node may share it); ReadWriteOncePod lets one pod
use it, wherever it runs. Replicas of a Deployment are interchangeable and all
mount the same claim, so a second replica, or the new pod of a rolling update,
may wait forever for a volume another pod holds. A StatefulSet instead gives
each pod its own claims from `volumeClaimTemplates` (`<template>-<set>-<ordinal>`),
which its controller adds to every pod as volumes of the templates' names.

Claims are judged only where the application defines them (the run's index,
related objects only): a claim defined elsewhere has access modes we cannot know.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, NamedTuple

from k8slint.checks.api import CheckContext, check
from k8slint.kube.index import RunIndex, namespace_of, pod_template, spec_of
from k8slint.kube.kinds import get_path, is_workload
from k8slint.kube.pod import pod_of
from k8slint.kube.replicas import most_replicas, scalers
from k8slint.model import JsonPath, Problem, Resource, format_path

Found = Iterator[tuple[Resource, Problem]]

SHARED_REPLICA_KINDS = ("Deployment", "ReplicaSet", "ReplicationController")
"""Controllers whose replicas all mount the template's volumes, the same claims."""

_MULTI_NODE_MODES = frozenset({"ReadWriteMany", "ReadOnlyMany"})
_DEFAULT_SURGE = _DEFAULT_UNAVAILABLE = "25%"


class ClaimUse(NamedTuple):
    """A pod template volume that mounts a claim of the application limited to one node or pod."""

    path: JsonPath
    """The volume's `persistentVolumeClaim.claimName`, where a finding points."""
    claim: str
    mode: str
    """`ReadWriteOnce` or `ReadWriteOncePod`."""


def _single_node_mode(claim: Resource) -> str | None:
    """The mode that keeps the claim's volume on one node (or pod), or None when the
    claim allows several nodes (then the storage class serves that mode)."""
    modes = spec_of(claim).get("accessModes")
    if not isinstance(modes, list):
        return None
    requested = {mode for mode in modes if isinstance(mode, str)}
    if requested & _MULTI_NODE_MODES:
        return None
    for mode in ("ReadWriteOncePod", "ReadWriteOnce"):
        if mode in requested:
            return mode
    return None


def _single_node_claims(index: RunIndex, workload: Resource) -> Iterator[ClaimUse]:
    template = pod_template(workload)
    if template is None or not template.complete:
        return  # a fragment (Kustomize patch) is not what runs
    volumes = template.pod.spec.get("volumes")
    for position, volume in enumerate(volumes if isinstance(volumes, list) else ()):
        name = get_path(volume, ("persistentVolumeClaim", "claimName"))
        if not isinstance(name, str):
            continue
        claims = [
            claim
            for claim in index.named(
                namespace_of(workload), "PersistentVolumeClaim", name, near=workload
            )
            if claim.api_group == ""
        ]
        mode = _single_node_mode(claims[0]) if claims else None
        if mode:
            path = (*template.pod.path, "volumes", position, "persistentVolumeClaim", "claimName")
            yield ClaimUse(path, name, mode)


def _replica_phrase(index: RunIndex, workload: Resource, count: int) -> str:
    hpas = sorted(hpa.name or "" for hpa in scalers(index, workload))
    if hpas:
        return f"may run {count} replicas (HorizontalPodAutoscaler {', '.join(hpas)} scales it)"
    return f"runs {count} replicas"


@check(scope="run", per_component=True)
def claim_shared_by_replicas(index: RunIndex, context: CheckContext) -> Found:
    for workload in index.of_kind(*SHARED_REPLICA_KINDS):
        if workload.api_group not in ("", "apps", "extensions"):
            continue
        count = most_replicas(index, workload)
        if count is None or count <= 1:
            continue
        for use in _single_node_claims(index, workload):
            if use.mode == "ReadWriteOncePod":
                consequence = (
                    "only one pod may use its volume, so every other replica stays Pending"
                )
            else:
                consequence = (
                    "its volume attaches to one node at a time, so every replica scheduled on "
                    "another node waits in ContainerCreating (Multi-Attach error)"
                )
            yield (
                workload,
                Problem(
                    use.path,
                    f"{workload.kind} {workload.name} {_replica_phrase(index, workload, count)} "
                    f"and all of them mount claim {use.claim}, which requests {use.mode}: "
                    f"{consequence}; give each replica its own claim with a StatefulSet's "
                    "volumeClaimTemplates, or request ReadWriteMany from a storage class that "
                    "offers it if the replicas must share the data",
                ),
            )


def _int_or_percent(value: Any, round_up: bool) -> int | None:
    """An intOrString rollout bound resolved for one replica, as the Deployment
    controller does (maxSurge rounds up, maxUnavailable down); None if unreadable."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.endswith("%") and value[:-1].isdigit():
        percent = int(value[:-1])
        return -(-percent // 100) if round_up else percent // 100
    return None


def _surges_first(deployment: Resource) -> bool:
    """Whether a rolling update of this one-replica Deployment starts the new pod
    while the old one still runs (at least one surge pod, none unavailable)."""
    strategy = spec_of(deployment).get("strategy")
    strategy = strategy if isinstance(strategy, dict) else {}
    if strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return False
    rolling = strategy.get("rollingUpdate")
    rolling = rolling if isinstance(rolling, dict) else {}
    surge = _int_or_percent(rolling.get("maxSurge", _DEFAULT_SURGE), round_up=True)
    unavailable = _int_or_percent(
        rolling.get("maxUnavailable", _DEFAULT_UNAVAILABLE), round_up=False
    )
    return surge is not None and surge >= 1 and unavailable == 0


@check(scope="run", per_component=True)
def claim_blocks_rollout(index: RunIndex, context: CheckContext) -> Found:
    for deployment in index.of_kind("Deployment"):
        if deployment.api_group != "apps" or most_replicas(index, deployment) != 1:
            continue
        if not _surges_first(deployment):
            continue
        for use in _single_node_claims(index, deployment):
            if use.mode == "ReadWriteOncePod":
                consequence = "the new pod cannot use the volume while the old one holds it"
            else:
                consequence = (
                    "when the new pod is scheduled on another node it cannot attach the volume "
                    "the old one holds"
                )
            yield (
                deployment,
                Problem(
                    use.path,
                    f"Deployment {deployment.name} runs one replica with a RollingUpdate "
                    f"strategy and mounts claim {use.claim}, which requests {use.mode}: a "
                    f"rollout starts the new pod before it stops the old one, and {consequence}, "
                    "so the rollout hangs; set spec.strategy.type: Recreate (the old pod stops "
                    "first)",
                ),
            )


def _claim_template_names(resource: Resource) -> set[str]:
    pod = pod_of(resource)
    if pod is None or pod.workload.kind != "StatefulSet":
        return set()
    return {volume.name for volume in pod.volumes if volume.from_claim_template}


@check(scope="resource", applies_to=is_workload)
def claim_template_unmounted(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None or pod.workload.kind != "StatefulSet" or not pod.containers:
        return
    mounted = {mount.volume for container in pod.containers for mount in container.mounts}
    for volume in pod.volumes:
        if not volume.from_claim_template or volume.name in mounted:
            continue
        yield Problem(
            volume.path,
            f"volumeClaimTemplate {volume.name!r} is mounted by no container: the StatefulSet "
            f"still creates a claim for every pod ({volume.name}-{resource.name}-0, ...), and "
            "data meant for it lands in the container's own filesystem, lost with the pod; "
            f"mount {volume.name!r} (volumeMounts) in the container that keeps its data "
            "there, or remove the template",
        )


def _source_kind(volume: dict[str, Any]) -> str:
    sources = [key for key in volume if key != "name"]
    return sources[0] if len(sources) == 1 else "volume"


@check(scope="resource", applies_to=is_workload)
def claim_template_shadowed(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    claims = _claim_template_names(resource)
    pod = pod_of(resource)
    if not claims or pod is None:
        return
    volumes = pod.spec.get("volumes")
    for position, volume in enumerate(volumes if isinstance(volumes, list) else ()):
        name = volume.get("name") if isinstance(volume, dict) else None
        if not isinstance(name, str) or name not in claims:
            continue
        yield Problem(
            (*pod.path, "volumes", position, "name"),
            f"volume {name!r} has the name of a volumeClaimTemplate: the StatefulSet "
            f"controller replaces it in every pod with that pod's own claim "
            f"({name}-{resource.name}-<ordinal>), so this {_source_kind(volume)} is silently "
            f"ignored; rename the volume (and the mounts meant for it) or remove it",
        )


@check(scope="run", per_component=True)
def statefulset_partition_stalls(index: RunIndex, context: CheckContext) -> Found:
    for statefulset in index.of_kind("StatefulSet"):
        if statefulset.api_group != "apps":
            continue
        strategy = spec_of(statefulset).get("updateStrategy")
        strategy = strategy if isinstance(strategy, dict) else {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            continue
        path = ("spec", "updateStrategy", "rollingUpdate", "partition")
        partition = get_path(statefulset.data, path)
        if not isinstance(partition, int) or isinstance(partition, bool) or partition <= 0:
            continue
        replicas = most_replicas(index, statefulset)
        if replicas is None or replicas < 1 or partition < replicas:
            continue
        yield (
            statefulset,
            Problem(
                path,
                f"partition {partition} is at or above the {_replica_count(index, statefulset)}"
                f" ({replicas}): only pods with an ordinal at or above the partition are "
                "updated, so no pod ever gets a changed pod template, while kubectl rollout "
                "status reports the partitioned roll out complete at once; if this stages a "
                f"rollout by hand, release it by lowering {format_path(path)} "
                f"{_release_hint(replicas)}",
            ),
        )


def _release_hint(replicas: int) -> str:
    if replicas == 1:
        return "to 0"
    return f"({replicas - 1} updates the last pod only, 0 updates all)"


def _replica_count(index: RunIndex, statefulset: Resource) -> str:
    hpas = sorted(hpa.name or "" for hpa in scalers(index, statefulset))
    if hpas:
        return f"most replicas HorizontalPodAutoscaler {', '.join(hpas)} allows"
    return "replica count"
