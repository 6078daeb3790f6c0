"""Sidecars: the native form, the versions that know it, and what it changes.

Since Kubernetes 1.29 (beta, on by default; alpha behind a gate in 1.28) a
native sidecar is an init container with `restartPolicy: Always`: it starts
before the app, keeps running beside it, stops after it, may have probes, and
does not keep a Job from completing. A container-level `restartPolicy` means
nothing else until the ContainerRestartRules feature (alpha in 1.34, beta and
on by default from 1.35) lets regular and plain init containers set one.
"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.checks.api import CheckContext, check
from k8slint.kube.kinds import is_workload
from k8slint.kube.openapi import Version, format_version
from k8slint.kube.pod import Container, Role, pod_of
from k8slint.model import JsonPath, Problem, Resource, format_path

NATIVE_SIDECARS = (1, 29)
RESTART_RULES_ALPHA = (1, 34)
RESTART_RULES_DEFAULT = (1, 35)
_JOB_KINDS = frozenset({"Job", "CronJob"})
_INIT_FORBIDDEN = ("livenessProbe", "readinessProbe", "startupProbe", "lifecycle")


def _not_a_sidecar(container: Container) -> Problem:
    """From 1.35 a regular container may set restartPolicy, but Always there is the
    sidecar mistake: it restarts the container, it does not make it a sidecar."""
    return Problem(
        (*container.path, "restartPolicy"),
        f"restartPolicy: Always does not make {container.label} a sidecar: only an init "
        f"container with it is a native sidecar (started before the app, stopped after it, "
        f"no obstacle to a Job's completion); on a regular container it only overrides the "
        f"Pod's restart policy (so in a Job the container never finishes): move it to "
        f"initContainers if it is a sidecar, or remove the field",
        severity="warning",
    )


def _restart_policy_problem(
    container: Container, pod_path: JsonPath, version: Version
) -> Problem | None:
    policy = container.data.get("restartPolicy")
    path = (*container.path, "restartPolicy")
    if container.role is Role.EPHEMERAL:
        return Problem(
            path,
            f"restartPolicy on {container.label}: an ephemeral container is started once "
            f"by hand in a running Pod and is never restarted, so the API rejects it: remove it",
        )
    if container.role is Role.SIDECAR:
        return None
    if version >= RESTART_RULES_DEFAULT:
        if container.role is Role.REGULAR and policy == "Always":
            return _not_a_sidecar(container)
        return None
    if container.role is Role.INIT:
        meaning = (
            f"restartPolicy: {policy} on {container.label}: only Always is allowed on an "
            f"init container, where it makes a native sidecar"
        )
        fix = "use Always for a sidecar or remove the field"
    else:
        meaning = (
            f"restartPolicy on {container.label}: a regular container follows the Pod's "
            f"restartPolicy; a container-level one is for native sidecars (init containers)"
        )
        fix = (
            f"remove it, set the Pod's restartPolicy at {format_path(pod_path)}, "
            f"or move the container to initContainers if it is a sidecar"
        )
    target = format_version(version)
    if version >= RESTART_RULES_ALPHA:
        return Problem(
            path,
            f"{meaning}, unless the alpha ContainerRestartRules feature gate (off by default "
            f"in {target}, on from 1.35) is enabled: {fix}",
            severity="warning",
        )
    return Problem(path, f"{meaning} (the API of {target} rejects it): {fix}")


@check(scope="resource", applies_to=is_workload)
def sidecar_restart_policy(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    for container in pod.containers:
        if "restartPolicy" in container.data:
            problem = _restart_policy_problem(container, pod.path, context.kubernetes_version)
            if problem:
                yield problem


@check(scope="resource", applies_to=is_workload)
def sidecar_unsupported_version(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    version = context.kubernetes_version
    pod = pod_of(resource)
    if pod is None or version >= NATIVE_SIDECARS:
        return
    state = (
        "alpha behind the SidecarContainers feature gate (off by default)"
        if version == (1, 28)
        else "not implemented"
    )
    for container in pod.with_role(Role.SIDECAR):
        yield Problem(
            (*container.path, "restartPolicy"),
            f"{container.label} is an init container with restartPolicy: Always, which needs "
            f"Kubernetes 1.29 or later; in {format_version(version)} native sidecars are "
            f"{state}, so the field is dropped or rejected and the container blocks the Pod's "
            f"start as a plain init container: target 1.29+, or run it as a regular container",
        )


@check(scope="resource", applies_to=is_workload)
def init_container_probe(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    for container in pod.with_role(Role.INIT):
        for key in _INIT_FORBIDDEN:
            if key in container.data:
                yield Problem(
                    (*container.path, key),
                    f"{key} on {container.label}: a plain init container must run to "
                    f"completion before the app starts, so it is never probed and has no "
                    f"lifecycle hooks (the API rejects them): remove {key}, or add "
                    f"restartPolicy: Always to make it a native sidecar if it keeps running",
                )


@check(scope="resource", applies_to=is_workload)
def job_sidecar_blocks_completion(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None or pod.workload.kind not in _JOB_KINDS:
        return
    regular = pod.with_role(Role.REGULAR)
    if len(regular) < 2:
        return
    if context.kubernetes_version >= NATIVE_SIDECARS:
        fix = "move it to initContainers with restartPolicy: Always (a native sidecar)"
    else:
        fix = "make it exit when the main container is done (native sidecars need 1.29+)"
    main = regular[0]
    for helper in regular[1:]:
        yield Problem(
            helper.path,
            f"{helper.label} runs beside {main.name} in a {pod.workload.kind} Pod; the Job "
            f"completes only when every regular container has exited, so a long-running "
            f"helper keeps it from ever completing: if {helper.name} is a helper, {fix}",
        )
