"""The run's set of objects, for checks that look across objects.

Linted files and `--context` files are both indexed; only the engine knows
which is which (context objects never get findings). Objects are found by
kind, namespace and name, and every workload's pod template (labels, container
ports) is extracted once here so that the selector and reference rules all
read the same facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from k8slint.kinds import ContainerAt, PodSpecAt, containers, get_path, pod_spec, workload_kind
from k8slint.labels import labels_of
from k8slint.model import JsonPath, Resource

DEFAULT_NAMESPACE = "default"
"""Objects without `metadata.namespace` share this one, as `kubectl apply` would."""

_JOB_LABELS = (
    "controller-uid job-name batch.kubernetes.io/controller-uid batch.kubernetes.io/job-name "
    "batch.kubernetes.io/job-completion-index"
)
CONTROLLER_LABELS: dict[str, frozenset[str]] = {
    kind: frozenset(names.split())
    for kind, names in {
        "Deployment": "pod-template-hash",
        "StatefulSet": "controller-revision-hash statefulset.kubernetes.io/pod-name "
        "apps.kubernetes.io/pod-index",
        "DaemonSet": "controller-revision-hash pod-template-generation",
        "Job": _JOB_LABELS,
        "CronJob": _JOB_LABELS,
    }.items()
}
"""Labels a controller adds to the pods it creates, beside the template's own
(their values are not in the manifest). A Service selecting
`statefulset.kubernetes.io/pod-name` does select a StatefulSet's pod."""

POD_CREATING_KINDS = frozenset(
    {"Pod", "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "ReplicationController"}
    | {"Job", "CronJob"}
)
"""Workload kinds whose template becomes running pods (a PodTemplate object does not)."""


@dataclass(frozen=True, slots=True)
class PodTemplate:
    """The pods a workload creates, as far as selectors and ports are concerned."""

    resource: Resource
    labels: dict[str, str]
    labels_path: JsonPath
    pod: PodSpecAt

    @property
    def added_labels(self) -> frozenset[str]:
        return CONTROLLER_LABELS.get(self.resource.kind or "", frozenset())

    @property
    def title(self) -> str:
        """`Deployment web`, as messages name it."""
        return f"{self.resource.kind} {self.resource.name or '<unnamed>'}"

    def serving_containers(self) -> Iterator[ContainerAt]:
        """Containers that run beside each other: regular ones and native sidecars."""
        for container in containers(self.pod):
            if container.group == "containers" or (
                container.group == "initContainers"
                and container.container.get("restartPolicy") == "Always"
            ):
                yield container

    def port_names(self) -> set[str]:
        names: set[str] = set()
        for container in self.serving_containers():
            ports = container.container.get("ports")
            for port in ports if isinstance(ports, list) else ():
                if isinstance(port, dict) and isinstance(port.get("name"), str):
                    names.add(port["name"])
        return names


def pod_template(resource: Resource) -> PodTemplate | None:
    """The pod template of a pod-creating workload, or None."""
    workload = workload_kind(resource)
    if workload is None or workload.kind not in POD_CREATING_KINDS:
        return None
    pod = pod_spec(resource)
    if pod is None:
        return None
    metadata_path: JsonPath = (
        ("metadata",) if workload.template_path is None else (*workload.template_path, "metadata")
    )
    labels = labels_of(get_path(resource.data, metadata_path))
    return PodTemplate(resource, labels, (*metadata_path, "labels"), pod)


class RunIndex:
    def __init__(self, resources: Iterable[Resource]) -> None:
        self.resources: list[Resource] = list(resources)
        self._by_kind: dict[str, list[Resource]] = defaultdict(list)
        self._by_place: dict[tuple[str, str], list[Resource]] = defaultdict(list)
        self._templates: dict[str, list[PodTemplate]] | None = None
        for resource in self.resources:
            if resource.kind:
                self._by_kind[resource.kind].append(resource)
                self._by_place[(namespace_of(resource), resource.kind)].append(resource)

    def of_kind(self, *kinds: str) -> list[Resource]:
        found: list[Resource] = []
        for kind in kinds:
            found.extend(self._by_kind.get(kind, ()))
        return found

    def in_namespace(self, namespace: str, *kinds: str) -> list[Resource]:
        """Objects of these kinds in `namespace` (by kind name; callers check the group)."""
        found: list[Resource] = []
        for kind in kinds:
            found.extend(self._by_place.get((namespace, kind), ()))
        return found

    def named(self, namespace: str, kind: str, name: str) -> list[Resource]:
        return [r for r in self._by_place.get((namespace, kind), ()) if r.name == name]

    def pod_templates(self, namespace: str) -> list[PodTemplate]:
        """Every pod-creating workload's template in `namespace`, in run order."""
        if self._templates is None:
            self._templates = defaultdict(list)
            for resource in self.resources:
                template = pod_template(resource)
                if template is not None:
                    self._templates[namespace_of(resource)].append(template)
        return self._templates.get(namespace, [])

    def crd_kinds(self) -> set[tuple[str, str]]:
        """(group, kind) of every custom resource type the run's CRDs define."""
        found: set[tuple[str, str]] = set()
        for crd in self.of_kind("CustomResourceDefinition"):
            spec = crd.data.get("spec")
            if not isinstance(spec, dict):
                continue
            names = spec.get("names")
            kind = names.get("kind") if isinstance(names, dict) else None
            group = spec.get("group")
            if isinstance(kind, str) and isinstance(group, str):
                found.add((group, kind))
        return found


def namespace_of(resource: Resource) -> str:
    return resource.namespace or DEFAULT_NAMESPACE


def spec_of(resource: Resource) -> dict[str, Any]:
    spec = resource.data.get("spec")
    return spec if isinstance(spec, dict) else {}
