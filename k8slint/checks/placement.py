"""Pod or container: which level of a workload each field belongs to.

A Pod is the machine (one scheduling decision, one network namespace, one set
of volumes, one security boundary); a container is a program on it. Which
fields exist where comes from the target version's API schema, so the tables
follow Kubernetes (pod-level `resources` appears in 1.32, for instance); only
the category names below are ours.
"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.checks.api import CheckContext, check
from k8slint.kube.kinds import ContainerAt, PodSpecAt, containers, get_path, pod_spec, workload_kind
from k8slint.kube.openapi import field_names, format_version
from k8slint.model import Edit, Fix, JsonPath, Problem, Resource, format_path

_POD_CATEGORIES = {
    "scheduling": (
        "nodeSelector affinity tolerations nodeName priorityClassName priority preemptionPolicy "
        "topologySpreadConstraints schedulerName schedulingGates overhead runtimeClassName "
        "schedulingGroup workloadRef resourceClaims"
    ),
    "network": (
        "hostNetwork dnsPolicy dnsConfig hostAliases hostname hostnameOverride subdomain "
        "setHostnameAsFQDN enableServiceLinks"
    ),
    "storage": "volumes",
    "security": (
        "hostPID hostIPC hostUsers serviceAccountName serviceAccount "
        "automountServiceAccountToken imagePullSecrets shareProcessNamespace securityContext os"
    ),
    "lifecycle": (
        "terminationGracePeriodSeconds activeDeadlineSeconds restartPolicy readinessGates "
        "evictionResponders"
    ),
}
_CONTAINER_CATEGORIES = {
    "program": "image imagePullPolicy command args workingDir env envFrom stdin stdinOnce tty",
    "network": "ports",
    "storage": "volumeMounts volumeDevices",
    "lifecycle": (
        "livenessProbe readinessProbe startupProbe lifecycle terminationMessagePath "
        "terminationMessagePolicy restartPolicy restartPolicyRules"
    ),
    "resources": "resources resizePolicy",
    "security": "securityContext",
}


def _by_field(categories: dict[str, str]) -> dict[str, str]:
    return {name: category for category, names in categories.items() for name in names.split()}


POD_FIELD_CATEGORY = _by_field(_POD_CATEGORIES)
CONTAINER_FIELD_CATEGORY = _by_field(_CONTAINER_CATEGORIES)

_JUDGED_BY_SIDECAR_RULES = frozenset({"restartPolicy"})
"""`restartPolicy` on a container is the native-sidecar switch, not a misplaced Pod field."""


def _pod_fields(context: CheckContext) -> frozenset[str]:
    return field_names(context.kubernetes_version, "podspec-v1")


def _container_fields(context: CheckContext, container: ContainerAt) -> frozenset[str]:
    type_file = (
        "ephemeralcontainer-v1" if container.group == "ephemeralContainers" else "container-v1"
    )
    return field_names(context.kubernetes_version, type_file)


def _all_container_fields(context: CheckContext) -> frozenset[str]:
    version = context.kubernetes_version
    return field_names(version, "container-v1") | field_names(version, "ephemeralcontainer-v1")


def _containers_path(pod: PodSpecAt) -> str:
    """Where a container field should go: the one container, or each of them."""
    regular = pod.spec.get("containers")
    if isinstance(regular, list) and len(regular) == 1:
        return f"to {format_path((*pod.path, 'containers', 0))}"
    return f"into each container under {format_path((*pod.path, 'containers'))}"


def _merge_hint(present: bool, key: str) -> str:
    return f" (which already sets {key}: merge the two)" if present else ""


_ABSENT = object()


def _relocation(
    resource: Resource, source: JsonPath, target: JsonPath | None, why_not: str = ""
) -> tuple[Fix | None, str]:
    """The safe fix that moves `source` to `target`, or the reason there is none
    (said in the message, since the user then makes the edit by hand)."""
    if target is None:
        return None, f"; not fixed automatically: {why_not}"
    value = get_path(resource.data, source)
    there = _lookup(resource.data, target)
    if there is _ABSENT:
        return Fix("safe", (Edit("move", source, target),)), ""
    if there == value:  # the same setting twice: the misplaced copy goes
        return Fix("safe", (Edit("delete", source),)), ""
    return None, (
        f"; not fixed automatically: {format_path(target)} already holds a different value"
    )


def _lookup(data: object, path: JsonPath) -> object:
    node = data
    for step in path:
        if (isinstance(node, dict) and step in node) or (
            isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        ):
            node = node[step]
        else:
            return _ABSENT
    return node


def _single_container(pod: PodSpecAt) -> JsonPath | None:
    regular = pod.spec.get("containers")
    if isinstance(regular, list) and len(regular) == 1 and isinstance(regular[0], dict):
        return (*pod.path, "containers", 0)
    return None


def _belongs_elsewhere(mapping: object, own: frozenset[str], other: frozenset[str]) -> list[str]:
    """Keys of `mapping` that the other level's type has and this level's type lacks."""
    if not isinstance(mapping, dict):
        return []
    return [key for key in mapping if key in other and key not in own]


@check(scope="resource")
def pod_field_in_container(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_spec(resource)
    if pod is None:
        return
    pod_fields = _pod_fields(context) - _JUDGED_BY_SIDECAR_RULES
    for container in containers(pod):
        own = _container_fields(context, container)
        for key in _belongs_elsewhere(container.container, own, pod_fields):
            category = POD_FIELD_CATEGORY.get(key)
            kind = f"Pod {category} field" if category else "Pod field"
            fix, why = _relocation(resource, (*container.path, key), (*pod.path, key))
            yield Problem(
                (*container.path, key),
                f"{key} is a {kind}; move it from {format_path(container.path)} "
                f"to {format_path(pod.path)}{_merge_hint(key in pod.spec, key)}{why}",
                fix=fix,
            )


@check(scope="resource")
def container_field_in_pod(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_spec(resource)
    if pod is None:
        return
    where = format_path(pod.path)
    for key in _belongs_elsewhere(pod.spec, _pod_fields(context), _all_container_fields(context)):
        if key == "resources":
            message = (
                f"resources on the Pod (pod-level resources) exists only from Kubernetes 1.32, "
                f"and the target is {format_version(context.kubernetes_version)}; move it "
                f"from {where} {_containers_path(pod)}, or target a newer version"
            )
            yield Problem((*pod.path, key), message)  # two remedies: no fix picks one
            continue
        category = CONTAINER_FIELD_CATEGORY.get(key, "program")
        single = _single_container(pod)
        fix, why = _relocation(
            resource,
            (*pod.path, key),
            (*single, key) if single else None,
            "the PodSpec has several containers",
        )
        message = (
            f"{key} is a container field ({category}); move it "
            f"from {where} {_containers_path(pod)}{why}"
        )
        yield Problem((*pod.path, key), message, fix=fix)


def _security_fields(context: CheckContext) -> tuple[frozenset[str], frozenset[str]]:
    """(PodSecurityContext fields, container SecurityContext fields) of the target version."""
    version = context.kubernetes_version
    return (
        field_names(version, "podsecuritycontext-v1"),
        field_names(version, "securitycontext-v1"),
    )


@check(scope="resource")
def pod_security_field_in_container(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_spec(resource)
    if pod is None:
        return
    pod_security, container_security = _security_fields(context)
    target = format_path((*pod.path, "securityContext"))
    present = pod.spec.get("securityContext")
    for container in containers(pod):
        security = container.container.get("securityContext")
        for key in _belongs_elsewhere(security, container_security, pod_security):
            source = format_path((*container.path, "securityContext"))
            fix, why = _relocation(
                resource,
                (*container.path, "securityContext", key),
                (*pod.path, "securityContext", key),
            )
            yield Problem(
                (*container.path, "securityContext", key),
                f"{key} is a Pod security field (it applies to every container and volume "
                f"of the Pod); move it from {source} to {target}"
                f"{_merge_hint(isinstance(present, dict) and key in present, key)}{why}",
                fix=fix,
            )


@check(scope="resource")
def container_security_field_in_pod(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_spec(resource)
    if pod is None:
        return
    pod_security, container_security = _security_fields(context)
    source = format_path((*pod.path, "securityContext"))
    security = pod.spec.get("securityContext")
    single = _single_container(pod)
    for key in _belongs_elsewhere(security, pod_security, container_security):
        fix, why = _relocation(
            resource,
            (*pod.path, "securityContext", key),
            (*single, "securityContext", key) if single else None,
            "the PodSpec has several containers",
        )
        yield Problem(
            (*pod.path, "securityContext", key),
            f"{key} is a container security field (each container has its own); move it "
            f"from {source} to the securityContext of each container that needs it, "
            f"under {format_path((*pod.path, 'containers'))}{why}",
            fix=fix,
        )


@check(scope="resource")
def pod_spec_misplaced(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    """Content at the wrong depth between a controller's spec and its PodSpec."""
    workload = workload_kind(resource)
    if workload is None or len(workload.levels) < 2:
        return
    version = context.kubernetes_version
    fields = [field_names(version, level.type_file) for level in workload.levels]
    pod_level = len(workload.levels) - 1
    for here, level in enumerate(workload.levels):
        mapping = get_path(resource.data, level.path)
        if not isinstance(mapping, dict):
            continue
        for key in mapping:
            if key in fields[here]:
                continue
            if key in fields[pod_level]:
                target = pod_level
            else:
                candidates = [i for i, names in enumerate(fields) if key in names]
                if not candidates:
                    continue
                target = min(candidates, key=lambda i: (abs(i - here), i))
            owner = workload.levels[target].owner
            destination = workload.levels[target].path
            fix, why = _relocation(resource, (*level.path, key), (*destination, key))
            yield Problem(
                (*level.path, key),
                f"{key} is a {owner} field; move it from {format_path(level.path)} "
                f"to {format_path(destination)}{why}",
                fix=fix,
            )
