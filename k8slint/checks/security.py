"""Security settings that are almost never intended: the `recommended` additions.

Node agents (DaemonSets, and pods in the node's network or process namespace:
CNI and CSI plugins, log shippers, node exporters) exist to act on the node,
so privilege is what they are for: the privilege rules here say nothing about
them. The Pod Security presets judge them like any pod, as the API server does.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from collections.abc import Iterator
from typing import Any

from k8slint.checks.api import CheckContext, check
from k8slint.kube.kinds import is_workload
from k8slint.kube.pod import Container, Pod, pod_of
from k8slint.kube.pod_security import safe_sysctls, sysctl_entries
from k8slint.model import JsonPath, Problem, Resource


def node_agent(pod: Pod) -> bool:
    """A pod whose job is the node: one per node, or already sharing its namespaces."""
    return (
        pod.workload.kind == "DaemonSet"
        or pod.host_network
        or pod.spec.get("hostPID") is True
        or pod.spec.get("hostIPC") is True
    )


def _context(container: Container) -> dict[str, Any]:
    context = container.data.get("securityContext")
    return context if isinstance(context, dict) else {}


@check(scope="resource", applies_to=is_workload)
def container_privileged(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None or node_agent(pod):
        return
    for container in pod.containers:
        if _context(container).get("privileged") is True:
            yield Problem(
                (*container.path, "securityContext", "privileged"),
                f"{container.label} is privileged: it gets every capability and every device "
                f"of the node, unconfined, so root in it is root on the node; grant the one "
                f"capability it needs (capabilities.add) instead",
            )


@check(scope="resource", applies_to=is_workload)
def privilege_escalation_allowed(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None or node_agent(pod):
        return
    for container in pod.containers:
        security = _context(container)
        privileged = security.get("privileged") is True  # container-privileged's finding
        if security.get("allowPrivilegeEscalation") is True and not privileged:
            yield Problem(
                (*container.path, "securityContext", "allowPrivilegeEscalation"),
                f"{container.label} sets allowPrivilegeEscalation: true, so a setuid binary "
                f"or file capability can make its processes more privileged than the container "
                f"started them: set it to false",
            )


# --- host paths -----------------------------------------------------------------------

RUNTIME_SOCKETS = (
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/var/run/containerd/containerd.sock",
    "/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
    "/run/crio/crio.sock",
    "/var/run/cri-dockerd.sock",
    "/run/cri-dockerd.sock",
)
SENSITIVE_PATHS = (
    "/",
    "/etc",
    "/proc",
    "/sys",
    "/boot",
    "/root",
    "/var/run",
    "/run",
    "/var/lib/kubelet",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/etc/kubernetes",
)


def _host_paths(pod: Pod) -> dict[str, tuple[JsonPath, str]]:
    """hostPath volumes by name: (path of `hostPath.path`, normalised host path)."""
    found: dict[str, tuple[JsonPath, str]] = {}
    volumes = pod.spec.get("volumes")
    for index, volume in enumerate(volumes if isinstance(volumes, list) else ()):
        if not isinstance(volume, dict) or not isinstance(volume.get("hostPath"), dict):
            continue
        path = volume["hostPath"].get("path")
        if isinstance(path, str) and path.startswith("/") and isinstance(volume.get("name"), str):
            at = (*pod.path, "volumes", index, "hostPath", "path")
            found[volume["name"]] = (at, posixpath.normpath(path).replace("//", "/"))
    return found


def _host_path_of(
    mount: dict[str, Any], host_paths: dict[str, tuple[JsonPath, str]]
) -> tuple[JsonPath, str] | None:
    name = mount.get("name")
    return host_paths.get(name) if isinstance(name, str) else None


def _mounts(pod: Pod) -> Iterator[tuple[Container, dict[str, Any], JsonPath]]:
    for container in pod.containers:
        mounts = container.data.get("volumeMounts")
        for index, mount in enumerate(mounts if isinstance(mounts, list) else ()):
            if isinstance(mount, dict):
                yield container, mount, (*container.path, "volumeMounts", index)


RUNTIME_SOCKET_DIRECTORIES = (
    "/var/run/containerd",
    "/run/containerd",
    "/var/run/crio",
    "/run/crio",
)


def _is_socket(path: str) -> bool:
    """The runtime's socket, or the directory that holds only it and its state."""
    return path in RUNTIME_SOCKETS or path in RUNTIME_SOCKET_DIRECTORIES


@check(scope="resource", applies_to=is_workload)
def runtime_socket_mounted(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None or node_agent(pod):
        return
    host_paths = _host_paths(pod)
    for container, mount, at in _mounts(pod):
        found = _host_path_of(mount, host_paths)
        if found and _is_socket(found[1]):
            yield Problem(
                (*at, "mountPath"),
                f"{container.label} mounts the container runtime's socket ({found[1]}): "
                f"whoever talks to it can start a privileged container on the node, so this "
                f"is root on the node; build images with a daemonless builder (kaniko, "
                f"buildah) or use the Kubernetes API instead",
            )


def _sensitive(path: str) -> str | None:
    """The sensitive directory `path` is, or is under; None for other paths."""
    for sensitive in sorted(SENSITIVE_PATHS, key=len, reverse=True):
        if path == sensitive or (sensitive != "/" and path.startswith(sensitive + "/")):
            return sensitive
    return None


@check(scope="resource", applies_to=is_workload)
def host_path_sensitive_writable(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None or node_agent(pod):
        return
    host_paths = _host_paths(pod)
    for container, mount, at in _mounts(pod):
        found = _host_path_of(mount, host_paths)
        if not found or mount.get("readOnly") is True or _is_socket(found[1]):
            continue
        sub_path = mount.get("subPath")
        path = posixpath.join(found[1], sub_path) if isinstance(sub_path, str) else found[1]
        sensitive = _sensitive(posixpath.normpath(path))
        if sensitive is None:
            continue
        yield Problem(
            (*at, "mountPath"),
            f"{container.label} mounts the node's {path} writable (hostPath under "
            f"{sensitive}): a write there changes the node itself, its configuration, its "
            f"kubelet or its runtime; add readOnly: true, or use an emptyDir or a volume of "
            f"the Pod's own",
        )


# --- sysctls ----------------------------------------------------------------------------


@check(scope="resource", applies_to=is_workload)
def sysctl_unsafe(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    safe = safe_sysctls(context.kubernetes_version)
    for path, name in sysctl_entries(pod):
        if name not in safe:
            yield Problem(
                path,
                f"sysctl {name} is not in the kubelet's safe set: the kubelet refuses to run "
                f"the Pod (SysctlForbidden) unless the node allows it with "
                f"--allowed-unsafe-sysctls, and there it affects more than this Pod; set it on "
                f"the node, or schedule onto nodes that allow it",
            )


# --- env --------------------------------------------------------------------------------

SECRET_NAMES = ("*PASSWORD*", "*PASSWD*", "*TOKEN*", "*SECRET*", "*_KEY")
NOT_SECRETS = re.compile(
    r"(_(FILE|PATH|DIR|NAME|NAMESPACE|REF|KEY_ID|ID|URL|URI|ENDPOINT|HEADER|TYPE|"
    r"ENABLED|TTL|TIMEOUT|SECONDS|LENGTH|SIZE|FIELD|MOUNT|LOCATION|VERSION)S?$)",
    re.IGNORECASE,
)
_REFERENCE = re.compile(r"^\$\([A-Za-z_][A-Za-z0-9_.-]*\)$")
_PLACEHOLDER = re.compile(r"^[A-Z][A-Z0-9_]*$")
"""`INSERT_TOKEN`, `GOOGLE_API_KEY_VAL`: a constant's name, to be replaced at deploy time."""


def _secret_like(name: str) -> bool:
    upper = name.upper()
    return any(fnmatch.fnmatchcase(upper, p) for p in SECRET_NAMES) and not NOT_SECRETS.search(
        upper
    )


def _literal_secret(value: Any) -> bool:
    """A value that holds a secret itself: not empty, not a `$(VAR)` reference, not a
    file path, a boolean, a number or a placeholder."""
    if not isinstance(value, str):
        return False
    text = value.strip()
    if len(text) < 4 or _REFERENCE.match(text) or _PLACEHOLDER.match(text):
        return False
    if text.startswith(("/", "${", "{{", "<")):
        return False
    return text.lower() not in {"true", "false", "yes", "no", "none", "null"} and not text.isdigit()


def _env(container: Container) -> Iterator[tuple[int, dict[str, Any]]]:
    env = container.data.get("env")
    for index, item in enumerate(env if isinstance(env, list) else ()):
        if isinstance(item, dict) and isinstance(item.get("name"), str):
            yield index, item


@check(scope="resource", applies_to=is_workload)
def env_secret_literal(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    for container in pod.containers:
        for index, item in _env(container):
            if _secret_like(item["name"]) and _literal_secret(item.get("value")):
                yield Problem(
                    (*container.path, "env", index, "value"),
                    f"env {item['name']} of {container.label} holds a literal secret-looking "
                    f"value: it is stored in plain text in the manifest and in the object, "
                    f"readable by whoever may read the workload (more than may read Secrets); "
                    f"use valueFrom.secretKeyRef",
                )


@check(scope="resource", applies_to=is_workload)
def env_duplicate(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    for container in pod.containers:
        first: dict[str, int] = {}
        for index, item in _env(container):
            name = item["name"]
            if name in first:
                yield Problem(
                    (*container.path, "env", index, "name"),
                    f"env {name} of {container.label} is already defined at env[{first[name]}]: "
                    f"the container gets only the last definition, and the earlier one "
                    f"silently does nothing; keep one",
                )
            else:
                first[name] = index


# --- the Pod's ServiceAccount -----------------------------------------------------------


@check(scope="resource", applies_to=is_workload)
def service_account_deprecated(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None or not isinstance(pod.spec.get("serviceAccount"), str):
        return
    old, new = pod.spec["serviceAccount"], pod.spec.get("serviceAccountName")
    if isinstance(new, str) and new and new != old:
        yield Problem(
            (*pod.path, "serviceAccount"),
            f"serviceAccount: {old} contradicts serviceAccountName: {new}; the deprecated "
            f"serviceAccount is ignored when serviceAccountName is set, so the Pod runs as "
            f"{new}: remove serviceAccount",
            severity="warning",
        )
        return
    yield Problem(
        (*pod.path, "serviceAccount"),
        "serviceAccount is the deprecated alias of serviceAccountName: rename the key to "
        "serviceAccountName",
    )


# --- probes -----------------------------------------------------------------------------

_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


@check(scope="resource", applies_to=is_workload)
def probe_port_unknown(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    for container in pod.containers:
        names = {port.name for port in container.ports if port.name}
        for probe in _PROBES:
            handler = container.data.get(probe)
            if not isinstance(handler, dict):
                continue
            for action in ("httpGet", "tcpSocket"):
                target = handler.get(action)
                port = target.get("port") if isinstance(target, dict) else None
                if isinstance(port, str) and not port.isdigit() and port not in names:
                    declared = ", ".join(sorted(names)) or "none"
                    yield Problem(
                        (*container.path, probe, action, "port"),
                        f"{probe} of {container.label} targets port {port!r}, which the "
                        f"container does not declare (its named ports: {declared}): the "
                        f"kubelet cannot resolve it and the probe always fails; name the "
                        f"port in the container's ports or use its number",
                    )
