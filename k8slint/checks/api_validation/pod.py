"""PodSpec and Container as ValidatePodSpec (pkg/apis/core/validation) judges
them, in a Pod and in every workload's pod template."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from k8slint.checks.api_validation._base import Findings, is_int
from k8slint.checks.api_validation.metadata import check_label_map, check_labels_and_annotations
from k8slint.checks.api_validation.selectors import check_pod_selectors
from k8slint.checks.api_validation.volumes import check_volumes
from k8slint.kube import names
from k8slint.kube.kinds import CONTAINER_GROUPS, WorkloadKind, get_path
from k8slint.model import JsonPath

RESTART_POLICIES = ("Always", "OnFailure", "Never")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")  # validatePullPolicy
PROTOCOLS = ("TCP", "UDP", "SCTP")  # supportedPortProtocols
DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")  # validateDNSPolicy
TERMINATION_MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")  # validateContainerCommon
MOUNT_PROPAGATION = ("None", "HostToContainer", "Bidirectional")  # validateMountPropagation
WHEN_UNSATISFIABLE = ("DoNotSchedule", "ScheduleAnyway")  # supportedScheduleActions
NODE_INCLUSION_POLICIES = ("Ignore", "Honor")  # supportedPodTopologySpreadNodePolicies
TOLERATION_OPERATORS = ("Exists", "Equal")  # validateTolerations
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")  # validateTaintEffect
PREEMPTION_POLICIES = ("PreemptLowerPriority", "Never")  # validatePreemptionPolicy
PROBE_SCHEMES = ("HTTP", "HTTPS")  # supportedHTTPSchemes
PROBE_HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")  # validateHandler
LIFECYCLE_HANDLERS = ("exec", "httpGet", "tcpSocket", "sleep")  # validateLifecycleHandler
PROBE_FIELDS = frozenset(
    {
        *PROBE_HANDLERS,
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
        "terminationGracePeriodSeconds",
    }
)
PROFILE_TYPES = ("RuntimeDefault", "Unconfined", "Localhost")
"""validateSeccompProfileField and validateAppArmorProfileField."""
ENV_SOURCES = ("fieldRef", "resourceFieldRef", "configMapKeyRef", "secretKeyRef", "fileKeyRef")

_TEMPLATE_RESTART = {
    # ValidateJobSpec / validateJobTemplate: Job pods must end.
    "Job": ("OnFailure", "Never"),
    "CronJob": ("OnFailure", "Never"),
    # ValidatePodTemplateSpecForReplicaSet (Deployment, ReplicaSet), the DaemonSet,
    # StatefulSet and ReplicationController validations: controller pods must restart.
    **dict.fromkeys(
        ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "ReplicationController"),
        ("Always",),
    ),
}
_NO_ACTIVE_DEADLINE = frozenset(
    {"Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "ReplicationController"}
)
_RELAXED_ENV_NAMES = (1, 32)
"""RelaxedEnvironmentVariableValidation is on by default from 1.32 (beta; GA in 1.34)."""


def check_pod(
    found: Findings, workload: WorkloadKind, data: dict[str, Any], spec: dict[str, Any]
) -> None:
    path = workload.pod_spec_path
    if workload.template_path is not None:
        template_meta = get_path(data, (*workload.template_path, "metadata"))
        check_labels_and_annotations(found, template_meta, (*workload.template_path, "metadata"))
    _restart_policy(found, workload, path, spec)
    found.enum(spec, "dnsPolicy", path, DNS_POLICIES)
    if found.string(spec, "dnsPolicy") == "None" and "dnsConfig" not in spec:
        found.add((*path, "dnsPolicy"), "dnsPolicy None requires dnsConfig (with nameservers)")
    found.enum(spec, "preemptionPolicy", path, PREEMPTION_POLICIES)
    found.syntax(
        spec.get("serviceAccountName"),
        (*path, "serviceAccountName"),
        "serviceAccountName",
        names.dns1123_subdomain,
    )
    check_label_map(
        found, found.mapping(spec, "nodeSelector"), (*path, "nodeSelector"), "nodeSelector"
    )
    _active_deadline(found, workload, path, spec)
    check_volumes(found, path, spec)
    _security_context(found, (*path, "securityContext"), found.mapping(spec, "securityContext"))
    _topology_spread(found, path, spec)
    check_pod_selectors(found, path, spec)
    _tolerations(found, path, spec)
    # A container without an image is reported unless container-field-in-pod explains
    # it (an `image` on the PodSpec) or the object is a Kustomize input, which gets
    # its images from the build (`filekinds.is_kustomize_input`, the one fragment test).
    missing = any(
        not found.string(container, "image")
        for group in CONTAINER_GROUPS
        for _, container in found.items(spec, group)
    )
    image_explained = "image" in spec or (missing and found.kustomize_input)
    for group in CONTAINER_GROUPS:
        for index, container in found.items(spec, group):
            _container(found, (*path, group, index), group, container, image_explained)


def _security_context(found: Findings, path: JsonPath, context: dict[str, Any]) -> None:
    """Seccomp and AppArmor profiles: a fixed set of types, and a localhostProfile
    exactly when the type is Localhost."""
    for key in ("seccompProfile", "appArmorProfile"):
        profile = found.mapping(context, key)
        kind = found.enum(profile, "type", (*path, key), PROFILE_TYPES, f"{key} type")
        if kind is None:
            continue
        local = found.string(profile, "localhostProfile")
        if kind == "Localhost" and not local:
            found.add((*path, key), f"{key} of type Localhost requires localhostProfile")
        elif kind != "Localhost" and local is not None:
            found.add(
                (*path, key, "localhostProfile"),
                f"localhostProfile may be set only with {key} type Localhost, not {kind}",
            )


def _restart_policy(
    found: Findings, workload: WorkloadKind, path: JsonPath, spec: dict[str, Any]
) -> None:
    value = found.enum(spec, "restartPolicy", path, RESTART_POLICIES)
    allowed = _TEMPLATE_RESTART.get(workload.kind)
    if allowed is None or ("restartPolicy" in spec and value is None):
        return
    if value is None:
        if "Always" in allowed or any(str(key).lower() == "restartpolicy" for key in spec):
            return  # (a miscased `RestartPolicy:` is schema's unknown field, the real fix)
        if not found.kustomize_input:
            found.add(
                path,
                f"restartPolicy is unset, so it defaults to Always, which a {workload.kind}'s "
                f"pods may not use: set restartPolicy to {' or '.join(allowed)}",
            )
    elif value not in allowed:
        found.add(
            (*path, "restartPolicy"),
            f"restartPolicy {value!r} is not allowed in a {workload.kind}'s pod template: "
            f"use {' or '.join(allowed)}",
        )


def _active_deadline(
    found: Findings, workload: WorkloadKind, path: JsonPath, spec: dict[str, Any]
) -> None:
    value = found.integer(spec, "activeDeadlineSeconds")
    if value is None:
        return
    if workload.kind in _NO_ACTIVE_DEADLINE:
        found.add(
            (*path, "activeDeadlineSeconds"),
            f"activeDeadlineSeconds must not be set in a {workload.kind}'s pod template "
            "(its pods run until replaced)",
        )
    elif value < 1:
        found.add(
            (*path, "activeDeadlineSeconds"),
            f"activeDeadlineSeconds must be at least 1, not {value}",
        )


def _topology_spread(found: Findings, path: JsonPath, spec: dict[str, Any]) -> None:
    """validateTopologySpreadConstraints."""
    seen: set[tuple[str, str]] = set()
    for index, constraint in found.items(spec, "topologySpreadConstraints"):
        where = (*path, "topologySpreadConstraints", index)
        found.at_least(constraint, "maxSkew", where, 1)
        action = found.enum(constraint, "whenUnsatisfiable", where, WHEN_UNSATISFIABLE)
        min_domains = found.integer(constraint, "minDomains")
        if min_domains is not None:
            if min_domains < 1:
                found.add(
                    (*where, "minDomains"), f"minDomains must be at least 1, not {min_domains}"
                )
            elif action == "ScheduleAnyway":
                found.add(
                    (*where, "minDomains"),
                    "minDomains may be set only with whenUnsatisfiable: DoNotSchedule",
                )
        found.enum(constraint, "nodeAffinityPolicy", where, NODE_INCLUSION_POLICIES)
        found.enum(constraint, "nodeTaintsPolicy", where, NODE_INCLUSION_POLICIES)
        key = found.string(constraint, "topologyKey")
        if key is not None and action is not None:
            if (key, action) in seen:
                found.add(
                    (*where, "topologyKey"),
                    f"a second constraint with topologyKey {key!r} and whenUnsatisfiable "
                    f"{action}: each pair may appear once",
                )
            seen.add((key, action))


def _tolerations(found: Findings, path: JsonPath, spec: dict[str, Any]) -> None:
    """validateTolerations."""
    for index, toleration in found.items(spec, "tolerations"):
        where = (*path, "tolerations", index)
        raw_operator = toleration.get("operator")
        operator = found.enum(toleration, "operator", where, TOLERATION_OPERATORS)
        found.enum(toleration, "effect", where, TAINT_EFFECTS)
        key = toleration.get("key")
        if isinstance(key, str) and key:
            found.syntax(key, (*where, "key"), "toleration key", names.qualified_name)
        elif key in (None, "") and raw_operator in (None, "", "Equal"):
            found.add(
                (*where, "operator") if raw_operator else where,
                "a toleration without a key matches every taint and must use operator Exists",
            )
        if operator == "Exists" and found.string(toleration, "value"):
            found.add((*where, "value"), "value must be empty when operator is Exists")
        effect = toleration.get("effect")
        if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
            found.add(
                (*where, "tolerationSeconds"),
                f"tolerationSeconds applies only to effect NoExecute, not {effect or 'any effect'}",
            )


def _container(
    found: Findings, path: JsonPath, group: str, container: dict[str, Any], image_explained: bool
) -> None:
    """validateContainerCommon and what it calls."""
    found.syntax(container.get("name"), (*path, "name"), "container name", names.dns1123_label)
    if container.get("image") in (None, "") and not image_explained:
        if "image" in container:
            found.add((*path, "image"), "image is empty, which every container requires")
        elif not found.kustomize_input:
            found.add(path, "the container has no image, which every container requires")
    found.enum(container, "imagePullPolicy", path, PULL_POLICIES)
    found.enum(container, "terminationMessagePolicy", path, TERMINATION_MESSAGE_POLICIES)
    _ports(found, path, container)
    _env(found, path, container)
    _resources(found, (*path, "resources"), found.mapping(container, "resources"))
    _mounts(found, path, container)
    _security_context(
        found, (*path, "securityContext"), found.mapping(container, "securityContext")
    )
    if group == "initContainers" and container.get("restartPolicy") != "Always":
        return  # probes on a plain init container are init-container-probe's
    lifecycle = found.mapping(container, "lifecycle")
    for hook in ("postStart", "preStop"):
        handler = found.mapping(lifecycle, hook)
        if handler:
            _lifecycle_handler(found, (*path, "lifecycle", hook), hook, handler)
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if isinstance(container.get(probe), dict):
            _probe(found, (*path, probe), probe, container[probe])


def _ports(found: Findings, path: JsonPath, container: dict[str, Any]) -> None:
    """validateContainerPorts (duplicate names are container-port-conflict's)."""
    for index, port in found.items(container, "ports"):
        where = (*path, "ports", index)
        number = found.integer(port, "containerPort")
        if number is not None:
            found.port_number(number, (*where, "containerPort"), "containerPort")
        host = found.integer(port, "hostPort")
        if host:
            found.port_number(host, (*where, "hostPort"), "hostPort")
        found.syntax(port.get("name"), (*where, "name"), "port name", names.port_name)
        found.enum(port, "protocol", where, PROTOCOLS)


def _env(found: Findings, path: JsonPath, container: dict[str, Any]) -> None:
    """ValidateEnv and validateEnvVarValueFrom."""
    relaxed = found.version >= _RELAXED_ENV_NAMES
    for index, variable in found.items(container, "env"):
        where = (*path, "env", index)
        name = variable.get("name")
        if isinstance(name, str) and name:
            error = names.env_var_name(name, relaxed)
            if error:
                found.add((*where, "name"), f"environment variable name {name!r} {error}")
        source = found.mapping(variable, "valueFrom")
        if not source:
            continue
        if found.string(variable, "value"):
            found.add((*where, "valueFrom"), "valueFrom may not be set when value is not empty")
        given = [key for key in ENV_SOURCES if key in source]
        if len(given) > 1:
            found.add(
                (*where, "valueFrom", given[1]),
                f"valueFrom sets {' and '.join(given)}: it may name exactly one source",
            )


def _resources(found: Findings, path: JsonPath, resources: dict[str, Any]) -> None:
    """ValidateResourceRequirements: quantities parse (JSON decoding), are not negative,
    and no request exceeds its limit."""
    parsed: dict[str, dict[str, Decimal]] = {}
    for part in ("limits", "requests"):
        values = found.mapping(resources, part)
        parsed[part] = {}
        for name, value in values.items():
            quantity = found.quantity(value, (*path, part, name), f"{part}.{name}")
            if quantity is None:
                continue
            if quantity < 0:
                found.add((*path, part, name), f"{part}.{name} {value} must not be negative")
            else:
                parsed[part][name] = quantity
    for name, request in parsed["requests"].items():
        limit = parsed["limits"].get(name)
        where = (*path, "requests", name)
        if not _overcommit_allowed(name):
            if name not in found.mapping(resources, "limits"):
                found.add(
                    where,
                    f"requests.{name} needs limits.{name} too: {name} cannot be overcommitted, "
                    "so its request and limit must be set and equal",
                )
            elif limit is not None and request != limit:
                found.add(
                    where,
                    f"requests.{name} {resources['requests'][name]} must equal limits.{name} "
                    f"{resources['limits'][name]}: {name} cannot be overcommitted",
                )
        elif limit is not None and request > limit:
            found.add(
                where,
                f"requests.{name} {resources['requests'][name]} is more than limits.{name} "
                f"{resources['limits'][name]}: a request must not exceed its limit",
            )


def _overcommit_allowed(name: str) -> bool:
    """helper.IsOvercommitAllowed: native resources (no domain, or a kubernetes.io one)
    other than huge pages; extended resources (`nvidia.com/gpu`) are not."""
    domain, slash, _ = name.partition("/")
    native = not slash or domain == "kubernetes.io" or domain.endswith(".kubernetes.io")
    return native and not name.startswith("hugepages-")


def _mounts(found: Findings, path: JsonPath, container: dict[str, Any]) -> None:
    """ValidateVolumeMounts: one mount per path in a container."""
    seen: set[str] = set()
    for index, mount in found.items(container, "volumeMounts"):
        where = (*path, "volumeMounts", index)
        mount_path = found.string(mount, "mountPath")
        if mount_path:
            if mount_path in seen:
                found.add(
                    (*where, "mountPath"),
                    f"mountPath {mount_path!r} is mounted twice in this container",
                )
            seen.add(mount_path)
        found.enum(mount, "mountPropagation", where, MOUNT_PROPAGATION)


def _probe(found: Findings, path: JsonPath, kind: str, probe: dict[str, Any]) -> None:
    """validateProbe, validateLivenessProbe, validateStartupProbe, validateHandler."""
    handlers = [key for key in PROBE_HANDLERS if key in probe]
    if len(handlers) > 1:
        found.add(
            (*path, handlers[1]),
            f"{kind} sets {' and '.join(handlers)}: a probe has exactly one handler",
        )
    elif not handlers and set(probe) <= PROBE_FIELDS and not found.kustomize_input:
        # (an unknown key, `gRPC:` say, is schema's finding and the likely handler)
        found.add(path, f"{kind} has no handler: set one of {', '.join(PROBE_HANDLERS)}")
    for key in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "failureThreshold"):
        found.at_least(probe, key, path, 0)
    found.at_least(probe, "successThreshold", path, 0)
    success = found.integer(probe, "successThreshold")
    if kind != "readinessProbe" and success is not None and success > 1:
        found.add(
            (*path, "successThreshold"),
            f"successThreshold must be 1 for a {kind}, not {success}",
        )
    grace = found.integer(probe, "terminationGracePeriodSeconds")
    if grace is not None and kind == "readinessProbe":
        found.add(
            (*path, "terminationGracePeriodSeconds"),
            "terminationGracePeriodSeconds must not be set on a readinessProbe "
            "(a failing readiness probe never kills the container)",
        )
    elif grace is not None and grace < 1:
        found.add(
            (*path, "terminationGracePeriodSeconds"),
            f"terminationGracePeriodSeconds must be at least 1, not {grace}",
        )
    http = found.mapping(probe, "httpGet")
    if http:
        _probe_port(found, (*path, "httpGet"), http)
        found.enum(http, "scheme", (*path, "httpGet"), PROBE_SCHEMES)
    tcp = found.mapping(probe, "tcpSocket")
    if tcp:
        _probe_port(found, (*path, "tcpSocket"), tcp)
    grpc_port = found.integer(found.mapping(probe, "grpc"), "port")
    if grpc_port is not None:
        found.port_number(grpc_port, (*path, "grpc", "port"), "grpc port")


def _lifecycle_handler(found: Findings, path: JsonPath, hook: str, handler: dict[str, Any]) -> None:
    """validateLifecycle / validateLifecycleHandler: exactly one handler per hook."""
    handlers = [key for key in LIFECYCLE_HANDLERS if key in handler]
    if len(handlers) > 1:
        found.add(
            (*path, handlers[1]),
            f"{hook} sets {' and '.join(handlers)}: a lifecycle hook has exactly one handler",
        )
    elif not handlers and set(handler) <= set(LIFECYCLE_HANDLERS) and not found.kustomize_input:
        found.add(path, f"{hook} has no handler: set one of {', '.join(LIFECYCLE_HANDLERS)}")


def _probe_port(found: Findings, path: JsonPath, handler: dict[str, Any]) -> None:
    """ValidatePortNumOrName."""
    port = handler.get("port")
    if is_int(port):
        found.port_number(port, (*path, "port"), "port")
    elif isinstance(port, str):
        found.syntax(port, (*path, "port"), "port name", names.port_name)
