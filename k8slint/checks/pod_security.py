"""Pod Security Standards: one rule per control, and the Namespaces that enforce them.

The controls themselves are in `k8slint.kube.pod_security`, shared by both
kinds of rule here: a `pss-*` rule (in the pod-security presets) judges every
pod at the target version's policy, as a warning; `pod-security-namespace`
judges the pods of a Namespace of the run that carries PodSecurity labels, at
that Namespace's level and version, as an error where the API server enforces
it (it refuses the Pods) and a warning where it only warns or audits.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

from k8slint.checks.api import CheckContext, check
from k8slint.kube.index import RunIndex
from k8slint.kube.kinds import is_workload
from k8slint.kube.openapi import Version
from k8slint.kube.pod import Pod, pod_of
from k8slint.kube.pod_security import BY_RULE, LEVELS, controls, message
from k8slint.model import JsonPath, Problem, Resource, severity_rank


def _control(rule: str, resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    control = BY_RULE[rule]
    for violation in control.violations(pod, context.kubernetes_version):
        yield Problem(violation.path, message(control, violation))


@check(scope="resource", applies_to=is_workload)
def host_process(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-host-process", resource, context)


@check(scope="resource", applies_to=is_workload)
def host_namespaces(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-host-namespaces", resource, context)


@check(scope="resource", applies_to=is_workload)
def privileged(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-privileged", resource, context)


@check(scope="resource", applies_to=is_workload)
def capabilities_baseline(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-capabilities-baseline", resource, context)


@check(scope="resource", applies_to=is_workload)
def host_path_volumes(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-host-path-volumes", resource, context)


@check(scope="resource", applies_to=is_workload)
def host_ports(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-host-ports", resource, context)


@check(scope="resource", applies_to=is_workload)
def apparmor(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-apparmor", resource, context)


@check(scope="resource", applies_to=is_workload)
def selinux(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-selinux", resource, context)


@check(scope="resource", applies_to=is_workload)
def proc_mount(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-proc-mount", resource, context)


@check(scope="resource", applies_to=is_workload)
def seccomp_baseline(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-seccomp-baseline", resource, context)


@check(scope="resource", applies_to=is_workload)
def sysctls(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-sysctls", resource, context)


@check(scope="resource", applies_to=is_workload)
def host_probes(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-host-probes", resource, context)


@check(scope="resource", applies_to=is_workload)
def volume_types(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-volume-types", resource, context)


@check(scope="resource", applies_to=is_workload)
def privilege_escalation(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-privilege-escalation", resource, context)


@check(scope="resource", applies_to=is_workload)
def run_as_non_root(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-run-as-non-root", resource, context)


@check(scope="resource", applies_to=is_workload)
def run_as_user(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-run-as-user", resource, context)


@check(scope="resource", applies_to=is_workload)
def seccomp_restricted(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-seccomp-restricted", resource, context)


@check(scope="resource", applies_to=is_workload)
def capabilities_restricted(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-capabilities-restricted", resource, context)


@check(scope="resource", applies_to=is_workload)
def proc_mount_restricted(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    yield from _control("pss-proc-mount-restricted", resource, context)


# --- Namespaces labelled for PodSecurity admission ----------------------------------

LABEL_PREFIX = "pod-security.kubernetes.io/"
MODES = {"enforce": "error", "warn": "warning", "audit": "warning"}
_CONSEQUENCE = {
    "enforce": "the API server refuses",
    "warn": "the API server warns on",
    "audit": "the API server records in its audit log",
}
_VERSION_LABEL = re.compile(r"^v(\d+)\.(\d+)$")


class Policy(NamedTuple):
    """One mode label of a Namespace: `enforce: restricted` with its `enforce-version`."""

    namespace: str
    mode: str
    level: str
    version: Version


def namespace_policies(namespace: Resource, target: Version) -> list[Policy]:
    """The modes a Namespace's labels set, at the policy version each names.

    `latest`, an absent version label and any version newer than the target
    mean the target's (the API server judges by what it knows); a malformed
    label is rejected by the admission plugin, so it judges nothing here.
    """
    metadata = namespace.data.get("metadata")
    labels = metadata.get("labels") if isinstance(metadata, dict) else None
    if not isinstance(labels, dict) or not namespace.name:
        return []
    policies = []
    for mode in MODES:
        level = labels.get(f"{LABEL_PREFIX}{mode}")
        if level not in LEVELS:
            continue
        version_label = labels.get(f"{LABEL_PREFIX}{mode}-version", "latest")
        match = _VERSION_LABEL.match(str(version_label))
        if version_label == "latest":
            version = target
        elif match:
            version = min((int(match.group(1)), int(match.group(2))), target)
        else:
            continue
        policies.append(Policy(namespace.name, mode, level, version))
    return policies


def _namespace_problems(pod: Pod, kind: str, policies: list[Policy]) -> Iterator[Problem]:
    """The most severe mode's finding per control and node."""
    found: dict[tuple[JsonPath, str], tuple[str, str]] = {}
    for policy in policies:
        severity = MODES[policy.mode]
        whose = "this Pod" if kind == "Pod" else f"the Pods of this {kind}"
        for control in controls(policy.level):
            for violation in control.violations(pod, policy.version):
                key = (violation.path, control.name)
                if key in found and severity_rank(found[key][0]) <= severity_rank(severity):
                    continue
                found[key] = (
                    severity,
                    f"{message(control, violation)}; Namespace {policy.namespace} is labelled "
                    f"{LABEL_PREFIX}{policy.mode}={policy.level}, so "
                    f"{_CONSEQUENCE[policy.mode]} {whose}",
                )
    for (path, _), (severity, text) in found.items():
        yield Problem(path, text, severity=severity)


@check(scope="run", per_component=True)
def namespace_enforcement(
    index: RunIndex, context: CheckContext
) -> Iterator[tuple[Resource, Problem]]:
    by_name: dict[str, list[Policy]] = {}
    for namespace in index.whole.of_kind("Namespace"):  # any part's
        if namespace.api_version == "v1":
            for policy in namespace_policies(namespace, context.kubernetes_version):
                if policy not in by_name.setdefault(policy.namespace, []):
                    by_name[policy.namespace].append(policy)
    if not by_name:
        return
    for resource in index.resources:
        policies = by_name.get(resource.namespace or "")
        pod = pod_of(resource) if policies else None
        if pod is not None and policies:
            for problem in _namespace_problems(pod, resource.kind or "", policies):
                yield resource, problem
