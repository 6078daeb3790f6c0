"""Workload kinds: where each keeps its pod template, and what sits on the way there.

A rule about Pods must find the PodSpec in a CronJob as surely as in a Pod;
this table is the one place that knows the paths.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any, NamedTuple

from k8slint.model import JsonPath, Resource

# API groups whose workload kinds are the built-in ones (old beta groups
# included: extensions/v1beta1 Deployments still appear in real repositories).
_WORKLOAD_GROUPS = frozenset({"", "apps", "extensions", "batch"})


class Level(NamedTuple):
    """One mapping on the way from the object to its PodSpec.

    `type_file` names the API type of that mapping in the bundled schemas, so
    the fields valid there come from the schema of the target version.
    """

    path: JsonPath
    type_file: str
    owner: str


class WorkloadKind(NamedTuple):
    kind: str
    levels: tuple[Level, ...]
    """From the object's spec down to the PodSpec, which is the last level."""
    claim_templates_path: JsonPath | None = None
    """PersistentVolumeClaim templates whose claims the controller adds to each Pod as volumes."""

    @property
    def pod_spec_path(self) -> JsonPath:
        return self.levels[-1].path

    @property
    def template_path(self) -> JsonPath | None:
        """The PodTemplateSpec (None for a bare Pod)."""
        return self.pod_spec_path[:-1] if len(self.levels) > 1 else None


def _controller(
    kind: str, spec_type: str, claim_templates_path: JsonPath | None = None
) -> WorkloadKind:
    return WorkloadKind(
        kind,
        (
            Level(("spec",), spec_type, kind),
            Level(("spec", "template"), "podtemplatespec-v1", "pod template"),
            Level(("spec", "template", "spec"), "podspec-v1", "Pod"),
        ),
        claim_templates_path,
    )


WORKLOAD_KINDS: dict[str, WorkloadKind] = {
    "Pod": WorkloadKind("Pod", (Level(("spec",), "podspec-v1", "Pod"),)),
    "PodTemplate": WorkloadKind(
        "PodTemplate",
        (
            Level(("template",), "podtemplatespec-v1", "pod template"),
            Level(("template", "spec"), "podspec-v1", "Pod"),
        ),
    ),
    "Deployment": _controller("Deployment", "deploymentspec-apps-v1"),
    "ReplicaSet": _controller("ReplicaSet", "replicasetspec-apps-v1"),
    "StatefulSet": _controller(
        "StatefulSet", "statefulsetspec-apps-v1", ("spec", "volumeClaimTemplates")
    ),
    "DaemonSet": _controller("DaemonSet", "daemonsetspec-apps-v1"),
    "ReplicationController": _controller("ReplicationController", "replicationcontrollerspec-v1"),
    "Job": _controller("Job", "jobspec-batch-v1"),
    "CronJob": WorkloadKind(
        "CronJob",
        (
            Level(("spec",), "cronjobspec-batch-v1", "CronJob"),
            Level(("spec", "jobTemplate"), "jobtemplatespec-batch-v1", "job template"),
            Level(("spec", "jobTemplate", "spec"), "jobspec-batch-v1", "Job"),
            Level(
                ("spec", "jobTemplate", "spec", "template"), "podtemplatespec-v1", "pod template"
            ),
            Level(("spec", "jobTemplate", "spec", "template", "spec"), "podspec-v1", "Pod"),
        ),
    ),
}


@functools.cache
def custom_workload(kind: str, template_path: JsonPath) -> WorkloadKind:
    """A custom kind with a PodTemplateSpec at `template_path` (its own spec's fields
    are unknown to us, so the levels start at the template). The configuration
    declares these; the engine stamps the path on each object of such a kind."""
    return WorkloadKind(
        kind,
        (
            Level(template_path, "podtemplatespec-v1", "pod template"),
            Level((*template_path, "spec"), "podspec-v1", "Pod"),
        ),
    )


CONTAINER_GROUPS = ("initContainers", "containers", "ephemeralContainers")
"""In Pod order: init containers start first."""


def workload_kind(resource: Resource) -> WorkloadKind | None:
    """The workload description of a resource, or None if it has no pod template."""
    if resource.kind is None:
        return None
    if resource.api_group in _WORKLOAD_GROUPS:
        return WORKLOAD_KINDS.get(resource.kind)
    if resource.template_path is not None:
        return custom_workload(resource.kind, resource.template_path)
    return None


def is_workload(resource: Resource) -> bool:
    """A Pod or an object with a pod template (`workload_kind`): the objects the
    Pod rules are about, known from apiVersion, kind and `template_path` alone."""
    return workload_kind(resource) is not None


def get_path(data: Any, path: JsonPath) -> Any:
    """The value at `path`, or None where any step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, str) and isinstance(data, dict):
            data = data.get(step)
        elif isinstance(step, int) and isinstance(data, list) and 0 <= step < len(data):
            data = data[step]
        else:
            return None
    return data


class PodSpecAt(NamedTuple):
    """A PodSpec found in a resource, with its path."""

    path: JsonPath
    spec: dict[str, Any]


def pod_spec(resource: Resource) -> PodSpecAt | None:
    """The resource's PodSpec, found once per object (most checks ask for it)."""
    derived = resource.derived
    if _POD_SPEC not in derived:
        derived[_POD_SPEC] = _find_pod_spec(resource)
    found: PodSpecAt | None = derived[_POD_SPEC]
    return found


_POD_SPEC = "pod-spec"
"""`Resource.derived` key: `pod_spec`'s answer (None too)."""


def _find_pod_spec(resource: Resource) -> PodSpecAt | None:
    workload = workload_kind(resource)
    if workload is None:
        return None
    spec = get_path(resource.data, workload.pod_spec_path)
    return PodSpecAt(workload.pod_spec_path, spec) if isinstance(spec, dict) else None


class ContainerAt(NamedTuple):
    group: str
    index: int
    path: JsonPath
    container: dict[str, Any]

    @property
    def name(self) -> str | None:
        name = self.container.get("name")
        return name if isinstance(name, str) else None


def containers(pod: PodSpecAt) -> Iterator[ContainerAt]:
    """Every container of a PodSpec, init and ephemeral ones included, in Pod order."""
    for group in CONTAINER_GROUPS:
        items = pod.spec.get(group)
        if not isinstance(items, list):
            continue
        for index, container in enumerate(items):
            if isinstance(container, dict):
                yield ContainerAt(group, index, (*pod.path, group, index), container)
