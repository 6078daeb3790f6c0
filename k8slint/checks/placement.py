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
from k8slint.kube.kinds import (
    WORKLOAD_KINDS,
    ContainerAt,
    PodSpecAt,
    containers,
    get_path,
    is_workload,
    pod_spec,
    workload_kind,
)
from k8slint.kube.openapi import bundled_versions, field_names, format_version
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


@check(scope="resource", applies_to=is_workload)
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


@check(scope="resource", applies_to=is_workload)
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


@check(scope="resource", applies_to=is_workload)
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


@check(scope="resource", applies_to=is_workload)
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


@check(scope="resource", applies_to=is_workload)
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


_WORKLOAD_FIELD_REASONS = {
    "volumeClaimTemplates": (
        "only a StatefulSet gives each pod claims of its own (<template>-<pod>) that follow "
        "it across restarts, where the replicas of a {kind} share the volumes of their "
        "template; use a StatefulSet, or mount a PersistentVolumeClaim through "
        "spec.template.spec.volumes"
    ),
    "serviceName": (
        "only a StatefulSet's pods get stable DNS names (<pod>.<service>) through a headless "
        "Service it names, where a Service reaches a {kind}'s pods by their labels alone; "
        "remove it, or use a StatefulSet"
    ),
    "podManagementPolicy": (
        "only a StatefulSet starts its pods one by one in order (OrderedReady) or all at "
        "once (Parallel), where a {kind} always starts and replaces them in parallel; "
        "remove it, or use a StatefulSet"
    ),
    "persistentVolumeClaimRetentionPolicy": (
        "it says whether a StatefulSet keeps the claims of its volumeClaimTemplates, which a "
        "{kind} does not have; remove it, or use a StatefulSet"
    ),
    "ordinals": (
        "it numbers a StatefulSet's pods, where a {kind}'s pods have no ordinals; remove it"
    ),
    "strategy": (
        "a {kind} does not roll out a changed template (a Deployment does, through "
        "ReplicaSets); remove it, or use a Deployment"
    ),
    "progressDeadlineSeconds": (
        "only the Deployment controller reports a rollout that stops making progress (a "
        "{kind} has no such deadline); remove it"
    ),
    "paused": (
        "only a Deployment's rollout can be paused (a StatefulSet stages one with "
        "spec.updateStrategy.rollingUpdate.partition); remove it"
    ),
}
"""Why a field of one workload kind means nothing to another, for the fields that
people carry over when they turn one kind into another by hand."""

_RENAMED = {
    "updateStrategy": (
        "strategy",
        "a {kind}'s rollout is set by spec.strategy (RollingUpdate with maxSurge and "
        "maxUnavailable, or Recreate); rename it to strategy and check its type",
    ),
    "strategy": (
        "updateStrategy",
        "a {kind}'s rollout is set by spec.updateStrategy (RollingUpdate or OnDelete; there "
        "is no Recreate); rename it to updateStrategy and check its type",
    ),
}
"""Fields that the other kinds name differently: (this kind's name, why)."""

_NO_REPLICAS = {
    "DaemonSet": "a DaemonSet runs one pod on each eligible node, so it keeps no replica "
    "count; remove it (choose the nodes with a nodeSelector or affinity in the pod template)",
    "Job": "a Job runs spec.parallelism pods at once until spec.completions succeed; use those",
    "CronJob": "a CronJob's Jobs run spec.jobTemplate.spec.parallelism pods at once; use that",
    "Pod": "a Pod is one pod; run several through a Deployment",
}


def _reason(key: str, kind: str, own_fields: frozenset[str]) -> str:
    renamed = _RENAMED.get(key)
    if renamed and renamed[0] in own_fields:
        return renamed[1]
    if key == "replicas" and kind in _NO_REPLICAS:
        return _NO_REPLICAS[kind]
    return _WORKLOAD_FIELD_REASONS.get(
        key, "a {kind} has no such field; remove it, or use the kind that has it"
    )


def _field_owners(key: str, kind: str, context: CheckContext) -> list[str]:
    """The other built-in workload kinds whose spec has `key` in the target version."""
    version = context.kubernetes_version
    return [
        other.kind
        for other in WORKLOAD_KINDS.values()
        if other.kind != kind
        and other.levels[0].path == ("spec",)
        and key in field_names(version, other.levels[0].type_file)
    ]


@check(scope="resource", applies_to=is_workload)
def workload_field_misplaced(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    """A field of another workload kind's spec, carried over when a manifest changed kind."""
    workload = workload_kind(resource)
    if workload is None or WORKLOAD_KINDS.get(workload.kind) is not workload:
        return  # custom kinds: their own spec's fields are unknown to us
    spec_level = workload.levels[0]
    spec = get_path(resource.data, spec_level.path)
    if spec_level.path != ("spec",) or not isinstance(spec, dict):
        return
    version = context.kubernetes_version
    known_here = set().union(*(field_names(version, level.type_file) for level in workload.levels))
    for key in spec:
        if key in known_here or _in_some_version(key, spec_level.type_file):
            continue  # pod-spec-misplaced, or a version question for `schema`
        owners = _field_owners(key, workload.kind, context)
        if not owners:
            continue
        own_fields = field_names(version, spec_level.type_file)
        reason = _reason(key, workload.kind, own_fields)
        renamed = _RENAMED.get(key, ("",))[0]
        if renamed in own_fields and renamed in spec:
            reason += f" (spec.{renamed} is already set: keep one of the two)"
        yield Problem(
            ("spec", key),
            f"spec.{key} is a field of {_and_list(owners)}, not of {workload.kind}: "
            f"{reason.format(kind=workload.kind)}",
        )


def _in_some_version(key: str, type_file: str) -> bool:
    return any(key in field_names(version, type_file) for version in bundled_versions())


def _and_list(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
