"""Pod structure: one network namespace and one set of volumes for all containers.

Every container of a Pod joins the same network namespace (one IP, so one
owner per port) and sees only the volumes declared on the Pod. The container
model in `k8slint.kube.pod` says which containers run at the same time; a plain
init container runs alone (beside the native sidecars started before it), so
reusing a port there is no conflict.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from k8slint.checks.api import CheckContext, check
from k8slint.kube.kinds import is_workload
from k8slint.kube.pod import Container, Pod, Port, Role, pod_of
from k8slint.model import Problem, Resource, format_path

_PLURAL = {
    Role.INIT: "init containers",
    Role.SIDECAR: "native sidecars",
    Role.REGULAR: "containers",
    Role.EPHEMERAL: "ephemeral containers",
}


def _pair(first: Container, second: Container) -> str:
    """`containers web and metrics`, `native sidecar proxy and container web`; a plain
    init container runs alone but for the sidecars started before it, which is said."""
    if first.role is second.role:
        return f"{_PLURAL[first.role]} {first.name} and {second.name}"
    if Role.INIT in (first.role, second.role):
        init, other = (first, second) if first.role is Role.INIT else (second, first)
        return f"{other.label} and {init.label} (started while {other.name} runs)"
    return f"{first.label} and {second.label}"


def _ports_in_pod_order(pod: Pod) -> list[tuple[Container, Port]]:
    return [(container, port) for container in pod.containers for port in container.ports]


def _same_binding(port: Port, other: Port) -> bool:
    """Two entries of one container for one port collide unless they map it to
    different host ports (a container may publish one port on two host ports)."""
    if port.host_port is None or other.host_port is None:
        return True
    return (port.host_port, port.host_ip) == (other.host_port, other.host_ip)


def _number_clash(
    container: Container, port: Port, earlier: list[tuple[Container, Port]]
) -> str | None:
    for other_container, other in earlier:
        if (other.number, other.protocol) != (port.number, port.protocol):
            continue
        if other_container is container and _same_binding(port, other):
            return (
                f"{container.label} declares port {port.label} twice "
                f"({format_path(other.path[-2:])} and {format_path(port.path[-2:])}); "
                f"a container's ports are keyed by containerPort and protocol, so "
                f"server-side apply rejects the duplicate and kubectl apply updates it "
                f"unpredictably: keep one entry"
            )
        if container.runs_with(other_container):
            return (
                f"{_pair(other_container, container)} both declare port {port.label}; "
                f"containers of a Pod share one network namespace, so only one of them "
                f"can bind it: give {container.name} another port or drop the duplicate"
            )
    return None


def _name_clash(
    container: Container, port: Port, earlier: list[tuple[Container, Port]]
) -> str | None:
    for other_container, other in earlier:
        if other.name != port.name:
            continue
        if other_container is container:
            return (
                f"{container.label} names two ports {port.name!r} "
                f"({format_path(other.path[-2:])} and {format_path(port.path[-2:])}); "
                f"port names must be unique in a Pod (the API rejects this): rename one"
            )
        if container.runs_with(other_container):
            return (
                f"{_pair(other_container, container)} both name a port {port.name!r}; "
                f"port names must be unique in a Pod, and a Service that targets the name "
                f"reaches only the first: rename the port of {container.name}"
            )
    return None


@check(scope="resource", applies_to=is_workload)
def container_port_conflict(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    """Reported at the later port in Pod order, once per clashing key."""
    pod = pod_of(resource)
    if pod is None:
        return
    ports = _ports_in_pod_order(pod)
    for position, (container, port) in enumerate(ports):
        earlier = ports[:position]
        if port.number is not None:
            message = _number_clash(container, port, earlier)
            if message:
                yield Problem((*port.path, "containerPort"), message)
        if port.name is not None:
            message = _name_clash(container, port, earlier)
            if message:
                yield Problem((*port.path, "name"), message)


@check(scope="resource", applies_to=is_workload)
def container_name_duplicate(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    seen: dict[str, Container] = {}
    for container in pod.containers:
        name = container.at.name
        if name is None:
            continue
        first = seen.setdefault(name, container)
        if first is not container:
            yield Problem(
                (*container.path, "name"),
                f"container name {name!r} is already used by {format_path(first.path)}; "
                f"names must be unique across containers, initContainers and "
                f"ephemeralContainers of a Pod, which kubectl logs/exec and the Pod's status "
                f"use to address them (the API rejects the Pod): rename one",
            )


def _declared_hint(pod: Pod) -> str:
    names = sorted({volume.name for volume in pod.volumes})
    return f"declared: {', '.join(names)}" if names else "it declares none"


@check(scope="resource", applies_to=is_workload)
def volume_mount_undeclared(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    declared = {volume.name for volume in pod.volumes}
    where = format_path((*pod.path, "volumes"))
    if pod.workload.claim_templates_path:
        where += f" or {format_path(pod.workload.claim_templates_path)}"
    for container in pod.containers:
        for mount in container.mounts:
            if mount.volume not in declared:
                yield Problem(
                    mount.path,
                    f"{container.label} mounts volume {mount.volume!r}, which the Pod does not "
                    f"declare ({_declared_hint(pod)}); containers get storage only from volumes "
                    f"declared on the Pod: add it to {where} or fix the name",
                )


_GCSFUSE_SIDECAR_VOLUMES = frozenset({"gke-gcsfuse-cache", "gke-gcsfuse-tmp", "gke-gcsfuse-buffer"})
"""Volumes that GKE's Cloud Storage FUSE webhook mounts into the sidecar it injects."""


def _istio_user_volumes(value: Any) -> set[str]:
    """Volume names in `sidecar.istio.io/userVolumeMount`: a JSON map by volume name,
    or a list of mounts each with a `name`."""
    try:
        mounts = json.loads(value) if isinstance(value, str) else None
    except ValueError:
        return set()
    if isinstance(mounts, dict):
        return {name for name in mounts if isinstance(name, str)}
    if isinstance(mounts, list):
        return {m["name"] for m in mounts if isinstance(m, dict) and isinstance(m.get("name"), str)}
    return set()


def _mounted_by_injected_sidecars(pod: Pod) -> set[str]:
    """Volumes declared for a sidecar that an admission webhook adds at creation time,
    so the manifest itself holds no mount for them."""
    names = _istio_user_volumes(pod.annotations.get("sidecar.istio.io/userVolumeMount"))
    if str(pod.annotations.get("gke-gcsfuse/volumes")).lower() == "true":
        names |= _GCSFUSE_SIDECAR_VOLUMES
    return names


@check(scope="resource", applies_to=is_workload)
def volume_unused(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None or not pod.containers:
        return
    mounted = {mount.volume for container in pod.containers for mount in container.mounts}
    mounted |= _mounted_by_injected_sidecars(pod)
    for volume in pod.volumes:
        if volume.name in mounted:
            continue
        what = "volumeClaimTemplate" if volume.from_claim_template else "volume"
        yield Problem(
            volume.path,
            f"{what} {volume.name!r} is mounted by no container; a volume reaches a container "
            f"only through a volumeMount (or volumeDevice) naming it: mount it where it is "
            f"needed or remove it",
        )
