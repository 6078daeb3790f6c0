"""What keeps a workload up through rollouts, node drains and load: the `reliability` preset.

The scheduler places a Pod by its requests, the kubelet evicts and the kernel
kills by its limits, endpoints follow readiness, and a PodDisruptionBudget or
an HPA can only protect replicas that exist. None of these is an error: a
manifest without them works until the node is full, drained or failing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from k8slint.checks.api import CheckContext, check
from k8slint.kube.images import parse_image
from k8slint.kube.index import PodTemplate, RunIndex, namespace_of, spec_of
from k8slint.kube.kinds import is_workload
from k8slint.kube.labels import parse_label_selector, parse_map_selector
from k8slint.kube.pod import Container, Pod, Role, pod_of
from k8slint.model import JsonPath, Problem, Resource

REPLICATED = ("Deployment", "StatefulSet", "ReplicaSet", "ReplicationController")
"""Kinds whose `spec.replicas` is the number of Pods (absent: 1)."""


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _long_running(pod: Pod) -> list[Container]:
    """Regular containers and native sidecars: those that run while the Pod serves."""
    return pod.with_role(Role.REGULAR, Role.SIDECAR)


def _resources(data: dict[str, Any], kind: str) -> dict[str, Any]:
    return _mapping(_mapping(data.get("resources")).get(kind))


def _where(container: Container) -> JsonPath:
    return (*container.path, "resources") if "resources" in container.data else container.path


@check(scope="resource", applies_to=is_workload)
def requests_missing(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    pod_level = {*_resources(pod.spec, "requests"), *_resources(pod.spec, "limits")}
    for container in _long_running(pod):
        # A limit without a request makes the request equal to the limit.
        given = {*_resources(container.data, "requests"), *_resources(container.data, "limits")}
        missing = [name for name in ("cpu", "memory") if name not in given | pod_level]
        if missing:
            yield Problem(
                _where(container),
                f"{container.label} requests no {' and no '.join(missing)}: the scheduler "
                f"places it as if it needed none, so nodes fill past what they can run, and "
                f"it is the first to be evicted under pressure (BestEffort/Burstable); set "
                f"resources.requests",
            )


@check(scope="resource", applies_to=is_workload)
def memory_limit_missing(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None or "memory" in _resources(pod.spec, "limits"):
        return
    for container in _long_running(pod):
        if "memory" not in _resources(container.data, "limits"):
            yield Problem(
                _where(container),
                f"{container.label} has no memory limit: a leak grows until the node runs out "
                f"of memory, and the kernel then kills processes of other Pods too; set "
                f"resources.limits.memory",
            )


@check(scope="resource", applies_to=is_workload)
def probes_identical(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    for container in _long_running(pod):
        liveness, readiness = (
            container.data.get("livenessProbe"),
            container.data.get("readinessProbe"),
        )
        if isinstance(liveness, dict) and liveness and liveness == readiness:
            yield Problem(
                (*container.path, "livenessProbe"),
                f"the livenessProbe of {container.label} is its readinessProbe: when the "
                f"container is only busy or its dependency is down, the kubelet restarts it "
                f"instead of only taking it out of its Services (and restarts every replica "
                f"at once); make liveness check only that the process itself is alive",
            )


def _image_mutable(image: Any) -> bool:
    ref = parse_image(image) if isinstance(image, str) else None
    return ref is not None and ref.is_mutable


@check(scope="resource", applies_to=is_workload)
def pull_policy_never_mutable(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    for container in pod.containers:
        if container.data.get("imagePullPolicy") != "Never":
            continue
        if _image_mutable(container.data.get("image")):
            yield Problem(
                (*container.path, "imagePullPolicy"),
                f"imagePullPolicy: Never with the mutable image {container.data['image']} of "
                f"{container.label}: each node runs whatever image it holds under that name, "
                f"so nodes run different versions and a node without it cannot start the Pod "
                f"(ErrImageNeverPull); pin a version tag and use IfNotPresent",
            )


@check(scope="resource", applies_to=is_workload)
def cronjob_starting_deadline(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    if resource.kind != "CronJob" or resource.api_group != "batch":
        return
    spec = spec_of(resource)
    if "startingDeadlineSeconds" in spec or not spec.get("schedule"):
        return
    yield Problem(
        ("spec", "schedule"),
        f"CronJob {resource.name} has no startingDeadlineSeconds: a run missed while the "
        f"controller was down (an upgrade, an outage) starts whenever it is back, however "
        f"late; set spec.startingDeadlineSeconds to how late a run may still start",
    )


# --- run scope: what selects the workload ------------------------------------------------


def _templates_selected(
    index: RunIndex, owner: Resource, selector_data: Any, map_selector: bool
) -> list[PodTemplate]:
    path: JsonPath = ("spec", "selector")
    selector = (
        parse_map_selector(selector_data, path)
        if map_selector
        else parse_label_selector(selector_data, path)
    )
    if selector.selects_nothing or not selector.valid:
        return []
    return index.selected(namespace_of(owner), selector, near=owner)


@check(scope="run", per_component=True)
def readiness_probe_missing(
    index: RunIndex, context: CheckContext
) -> Iterator[tuple[Resource, Problem]]:
    reported: set[int] = set()
    for service in index.of_kind("Service"):
        spec = spec_of(service)
        if service.api_group != "" or spec.get("type") == "ExternalName":
            continue
        if spec.get("publishNotReadyAddresses") is True:
            continue  # it routes to Pods whether ready or not: readiness is not its business
        for template in _templates_selected(index, service, spec.get("selector"), True):
            pod = pod_of(template.resource)
            if pod is None or id(template.resource) in reported:
                continue
            if pod.workload.kind in ("Job", "CronJob"):
                continue
            containers = pod.with_role(Role.REGULAR)
            if containers and not any("readinessProbe" in c.data for c in containers):
                reported.add(id(template.resource))
                yield (
                    template.resource,
                    Problem(
                        (*pod.path, "containers"),
                        f"Service {service.name} sends traffic to these Pods, but no container "
                        f"has a readinessProbe: each Pod gets traffic as soon as its containers "
                        f"start, before it can serve, and keeps it while it cannot; add a "
                        f"readinessProbe to the serving container",
                    ),
                )


def _replicas(resource: Resource) -> int | None:
    """The replica count of a replicated workload (absent: 1); None for other kinds."""
    if resource.kind not in REPLICATED:
        return None
    value = spec_of(resource).get("replicas", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@check(scope="run", per_component=True)
def single_replica(index: RunIndex, context: CheckContext) -> Iterator[tuple[Resource, Problem]]:
    # What any HPA of the run scales (`whole`: this may be one part's index).
    scaled = {
        (namespace_of(hpa), str(target.get("kind")), str(target.get("name")))
        for hpa in index.whole.of_kind("HorizontalPodAutoscaler")
        for target in [_mapping(spec_of(hpa).get("scaleTargetRef"))]
    }
    for hpa in index.of_kind("HorizontalPodAutoscaler"):
        spec = spec_of(hpa)
        target = _mapping(spec.get("scaleTargetRef"))
        minimum = spec.get("minReplicas", 1)
        if minimum == 1 and hpa.api_group == "autoscaling":
            given = "minReplicas" in spec
            yield (
                hpa,
                Problem(
                    ("spec", "minReplicas") if given else ("spec",),
                    f"HorizontalPodAutoscaler {hpa.name} may scale {target.get('kind')} "
                    f"{target.get('name')} down to one Pod (minReplicas "
                    f"{'1' if given else 'defaults to 1'}): at low load a node drain or a crash "
                    f"of that Pod is an outage; set minReplicas: 2",
                ),
            )
    for pdb in index.of_kind("PodDisruptionBudget"):
        if pdb.api_group != "policy":
            continue
        for template in _templates_selected(index, pdb, spec_of(pdb).get("selector"), False):
            workload = template.resource
            key = (namespace_of(workload), str(workload.kind), str(workload.name))
            if _replicas(workload) != 1 or key in scaled:
                continue
            spec = spec_of(workload)
            yield (
                workload,
                Problem(
                    ("spec", "replicas") if "replicas" in spec else ("spec",),
                    f"{workload.kind} {workload.name} runs one replica behind "
                    f"PodDisruptionBudget {pdb.name}: the budget either blocks every node drain "
                    f"or allows the only Pod to go; run at least 2 replicas",
                ),
            )


@check(scope="resource", applies_to=is_workload)
def replicas_not_spread(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    replicas = _replicas(resource)
    pod = pod_of(resource)
    if replicas is None or replicas < 2 or pod is None:
        return
    if pod.spec.get("topologySpreadConstraints"):
        return
    if _mapping(pod.spec.get("affinity")).get("podAntiAffinity"):
        return
    yield Problem(
        ("spec", "replicas"),
        f"{resource.kind} {resource.name} runs {replicas} replicas with neither "
        f"topologySpreadConstraints nor podAntiAffinity: the scheduler only prefers to spread "
        f"them, so they can all land on one node or zone and fail together; add a "
        f"topologySpreadConstraint on kubernetes.io/hostname (and the zone)",
    )
