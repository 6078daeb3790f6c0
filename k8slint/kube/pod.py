"""The containers of one Pod as Kubernetes runs them: the model every Pod-structure rule shares.

A Pod's containers are not one flat list. Plain init containers run one at a
time, each to completion, before the app starts; a native sidecar (an init
container with `restartPolicy: Always`) starts in init order and keeps running
beside everything started after it; regular containers start together once
all init containers are done; ephemeral containers join the running Pod.
Rules asking "do these two run at the same time?", "which volume does this
mount use?" or "is this a sidecar?" ask this module, so that they all agree.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator
from typing import Any, NamedTuple

from k8slint.kube.kinds import (
    ContainerAt,
    WorkloadKind,
    containers,
    get_path,
    pod_spec,
    workload_kind,
)
from k8slint.model import JsonPath, Resource, format_path


class Role(enum.Enum):
    """What a container is to its Pod; the value reads well in a message."""

    INIT = "init container"
    SIDECAR = "native sidecar"
    REGULAR = "container"
    EPHEMERAL = "ephemeral container"


class Port(NamedTuple):
    """One entry of a container's `ports`."""

    path: JsonPath
    number: int | None
    protocol: str
    name: str | None
    host_port: int | None
    host_ip: str | None

    @property
    def label(self) -> str:
        """`8080/TCP`: a port is only the same port with the same protocol."""
        return f"{self.number}/{self.protocol}"


class Mount(NamedTuple):
    """One `volumeMounts` or `volumeDevices` entry: a use of a Pod volume by name."""

    path: JsonPath
    volume: str


class Volume(NamedTuple):
    """A volume the Pod declares, or (StatefulSet) gets from a volumeClaimTemplate."""

    path: JsonPath
    """The entry's `name` key, where a finding about the volume points."""
    name: str
    from_claim_template: bool


class Container(NamedTuple):
    at: ContainerAt
    role: Role
    start: int
    """Step of the Pod's start-up sequence at which it starts (init container i starts
    at step i; regular and ephemeral containers after the last init container)."""
    stop: float
    """Step before which it has exited: the next step for a plain init container,
    never (infinity) for the others, which run until the Pod ends."""
    ports: tuple[Port, ...]
    mounts: tuple[Mount, ...]

    @property
    def path(self) -> JsonPath:
        return self.at.path

    @property
    def data(self) -> dict[str, Any]:
        return self.at.container

    @property
    def name(self) -> str:
        """The container's name, or its path where it has none (the API rejects that)."""
        return self.at.name or format_path(self.at.path)

    @property
    def label(self) -> str:
        """`init container migrate`, `native sidecar proxy`, `container web`."""
        return f"{self.role.value} {self.name}"

    def runs_with(self, other: Container) -> bool:
        """Whether the two are ever running at the same moment."""
        return self is not other and self.start < other.stop and other.start < self.stop


class Pod(NamedTuple):
    workload: WorkloadKind
    path: JsonPath
    """The PodSpec."""
    spec: dict[str, Any]
    containers: tuple[Container, ...]
    """All of them, in Pod order: initContainers, containers, ephemeralContainers."""
    volumes: tuple[Volume, ...]
    annotations: dict[str, Any]
    """The Pod's own (the template's) annotations: admission webhooks read them."""

    def with_role(self, *roles: Role) -> list[Container]:
        return [container for container in self.containers if container.role in roles]

    @property
    def host_network(self) -> bool:
        return self.spec.get("hostNetwork") is True


def _role(container: ContainerAt) -> Role:
    if container.group == "initContainers":
        restart_policy = container.container.get("restartPolicy")
        return Role.SIDECAR if restart_policy == "Always" else Role.INIT
    if container.group == "ephemeralContainers":
        return Role.EPHEMERAL
    return Role.REGULAR


def _int(value: Any) -> int | None:
    """An integer field's value; None where it is absent or not an integer (YAML `true` too)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _ports(container: ContainerAt) -> Iterator[Port]:
    items = container.container.get("ports")
    if not isinstance(items, list):
        return
    for index, item in enumerate(items):
        if isinstance(item, dict):
            yield Port(
                path=(*container.path, "ports", index),
                number=_int(item.get("containerPort")),
                protocol=_str(item.get("protocol")) or "TCP",
                name=_str(item.get("name")),
                host_port=_int(item.get("hostPort")) or None,
                host_ip=_str(item.get("hostIP")),
            )


def _mounts(container: ContainerAt) -> Iterator[Mount]:
    for field in ("volumeMounts", "volumeDevices"):
        items = container.container.get(field)
        if not isinstance(items, list):
            continue
        for index, item in enumerate(items):
            name = item.get("name") if isinstance(item, dict) else None
            if isinstance(name, str):
                yield Mount((*container.path, field, index, "name"), name)


def _volumes(data: Any, path: JsonPath, claim_templates: bool) -> Iterator[Volume]:
    items = get_path(data, path)
    if not isinstance(items, list):
        return
    name_path = ("metadata", "name") if claim_templates else ("name",)
    for index, item in enumerate(items):
        name = get_path(item, name_path)
        if isinstance(name, str):
            yield Volume((*path, index, *name_path), name, claim_templates)


def pod_of(resource: Resource) -> Pod | None:
    """The Pod model of a workload, or None for objects without a pod template.

    Built once per object: a dozen rules ask for it.
    """
    if "pod" not in resource.derived:
        resource.derived["pod"] = _build_pod(resource)
    return resource.derived["pod"]


def _build_pod(resource: Resource) -> Pod | None:
    workload = workload_kind(resource)
    spec = pod_spec(resource)
    if workload is None or spec is None:
        return None
    init_list = spec.spec.get("initContainers")
    init_count = len(init_list) if isinstance(init_list, list) else 0
    built: list[Container] = []
    for at in containers(spec):
        role = _role(at)
        start = at.index if at.group == "initContainers" else init_count
        stop = start + 1 if role is Role.INIT else math.inf
        built.append(Container(at, role, start, stop, tuple(_ports(at)), tuple(_mounts(at))))
    volumes = list(_volumes(resource.data, (*spec.path, "volumes"), claim_templates=False))
    if workload.claim_templates_path:
        volumes.extend(_volumes(resource.data, workload.claim_templates_path, claim_templates=True))
    # A bare Pod's metadata is the object's; a template's is inside the template.
    template = workload.template_path or ()
    annotations = get_path(resource.data, (*template, "metadata", "annotations"))
    return Pod(
        workload,
        spec.path,
        spec.spec,
        tuple(built),
        tuple(volumes),
        annotations if isinstance(annotations, dict) else {},
    )
