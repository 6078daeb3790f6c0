"""The Pod Security Standards as the API server's PodSecurity admission applies them.

One function per control, each judging one Pod at one policy version, so that
the `pss-*` rules (the pod-security presets) and the Namespace enforcement
rule say exactly the same thing. What is checked, and from which policy
version, follows kubernetes/pod-security-admission's `policy/check_*.go`:
each check lists its versions, and a pod is judged by the newest version at
or below the policy version. Like admission, every container counts: init
containers (native sidecars included), regular and ephemeral ones.

Policy versions below 1.19 (when Seccomp moved from annotations to fields)
are judged as 1.19.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from k8slint.kube.openapi import Version
from k8slint.kube.pod import Container, Pod
from k8slint.model import JsonPath

BASELINE, RESTRICTED = "baseline", "restricted"
LEVELS = (BASELINE, RESTRICTED)


class Violation(NamedTuple):
    path: JsonPath
    detail: str


Evaluate = Callable[[Pod, Version], Iterator[Violation]]


class Control(NamedTuple):
    rule: str
    """The rule id that reports this control in the pod-security presets."""
    name: str
    """The control's name in the standard."""
    level: str
    evaluate: Evaluate
    since: Version = (1, 0)
    replaces: str | None = None
    """The Baseline control (rule id) that this Restricted one replaces."""

    def violations(self, pod: Pod, version: Version) -> Iterator[Violation]:
        if max(version, (1, 19)) >= self.since:
            yield from self.evaluate(pod, max(version, (1, 19)))


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _pod_context(pod: Pod) -> dict[str, Any]:
    return _mapping(pod.spec.get("securityContext"))


def _context(container: Container) -> dict[str, Any]:
    return _mapping(container.data.get("securityContext"))


def _windows(pod: Pod, version: Version) -> bool:
    """From policy 1.25, pods that declare `os.name: windows` are exempt from the
    Linux-only Restricted controls."""
    return version >= (1, 25) and _mapping(pod.spec.get("os")).get("name") == "windows"


def _user_namespace(pod: Pod, version: Version) -> bool:
    """From policy 1.35, a pod in a user namespace (`hostUsers: false`) is root only
    inside it: Running as Non-root and Baseline's /proc Mount Type are relaxed."""
    return version >= (1, 35) and pod.spec.get("hostUsers") is False


# --- Baseline -----------------------------------------------------------------------


def host_process(pod: Pod, version: Version) -> Iterator[Violation]:
    places = [((*pod.path, "securityContext"), _pod_context(pod), "the Pod")]
    places += [((*c.path, "securityContext"), _context(c), c.label) for c in pod.containers]
    for path, context, who in places:
        if _mapping(context.get("windowsOptions")).get("hostProcess") is True:
            yield Violation(
                (*path, "windowsOptions", "hostProcess"),
                f"{who} runs as a Windows HostProcess container, with the node's privileges",
            )


_HOST_NAMESPACES = {
    "hostNetwork": "network",
    "hostPID": "process (PID)",
    "hostIPC": "IPC",
}


def host_namespaces(pod: Pod, version: Version) -> Iterator[Violation]:
    for key, namespace in _HOST_NAMESPACES.items():
        if pod.spec.get(key) is True:
            yield Violation(
                (*pod.path, key), f"{key}: true shares the node's {namespace} namespace"
            )


def privileged(pod: Pod, version: Version) -> Iterator[Violation]:
    for container in pod.containers:
        if _context(container).get("privileged") is True:
            yield Violation(
                (*container.path, "securityContext", "privileged"),
                f"{container.label} is privileged: it has every capability and the node's devices",
            )


BASELINE_CAPABILITIES = frozenset(
    (
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    )
)


def _added_capabilities(container: Container) -> Iterator[tuple[JsonPath, str]]:
    capabilities = _mapping(_context(container).get("capabilities"))
    added = capabilities.get("add")
    if isinstance(added, list):
        for index, name in enumerate(added):
            if isinstance(name, str):
                yield (*container.path, "securityContext", "capabilities", "add", index), name


def capabilities_baseline(pod: Pod, version: Version) -> Iterator[Violation]:
    for container in pod.containers:
        for path, name in _added_capabilities(container):
            if name not in BASELINE_CAPABILITIES:
                yield Violation(
                    path,
                    f"{container.label} adds capability {name}, beyond the container "
                    f"runtime's default set",
                )


def _volumes(pod: Pod) -> Iterator[tuple[int, dict[str, Any]]]:
    volumes = pod.spec.get("volumes")
    if isinstance(volumes, list):
        for index, volume in enumerate(volumes):
            if isinstance(volume, dict):
                yield index, volume


def host_path_volumes(pod: Pod, version: Version) -> Iterator[Violation]:
    for index, volume in _volumes(pod):
        if "hostPath" in volume:
            yield Violation(
                (*pod.path, "volumes", index, "hostPath"),
                f"volume {volume.get('name')!r} is a hostPath: a directory of the node",
            )


def host_ports(pod: Pod, version: Version) -> Iterator[Violation]:
    for container in pod.containers:
        for port in container.ports:
            if port.host_port:
                yield Violation(
                    (*port.path, "hostPort"),
                    f"{container.label} binds hostPort {port.host_port} on the node",
                )


_APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"
_GOOD_APPARMOR_TYPES = ("RuntimeDefault", "Localhost")


def _annotations_path(pod: Pod) -> JsonPath:
    template = pod.workload.template_path or ()
    return (*template, "metadata", "annotations")


def apparmor(pod: Pod, version: Version) -> Iterator[Violation]:
    places = [((*pod.path, "securityContext"), _pod_context(pod), "the Pod")]
    places += [((*c.path, "securityContext"), _context(c), c.label) for c in pod.containers]
    for path, context, who in places:
        profile = context.get("appArmorProfile")
        if isinstance(profile, dict) and profile.get("type") not in _GOOD_APPARMOR_TYPES:
            yield Violation(
                (*path, "appArmorProfile", "type"),
                f"{who} sets AppArmor profile type {profile.get('type')!r}; only RuntimeDefault "
                f"and Localhost are allowed",
            )
    for key, value in pod.annotations.items():
        if not isinstance(key, str) or not key.startswith(_APPARMOR_ANNOTATION):
            continue
        if value in ("", None, "runtime/default") or str(value).startswith("localhost/"):
            continue
        yield Violation(
            (*_annotations_path(pod), key),
            f"annotation {key}: {value} overrides the default AppArmor profile; only "
            f"runtime/default and localhost/* are allowed",
        )


def _selinux_types(version: Version) -> frozenset[str]:
    types = {"", "container_t", "container_init_t", "container_kvm_t"}
    if version >= (1, 31):
        types.add("container_engine_t")
    return frozenset(types)


def selinux(pod: Pod, version: Version) -> Iterator[Violation]:
    allowed = _selinux_types(version)
    places = [((*pod.path, "securityContext"), _pod_context(pod), "the Pod")]
    places += [((*c.path, "securityContext"), _context(c), c.label) for c in pod.containers]
    for path, context, who in places:
        options = context.get("seLinuxOptions")
        if not isinstance(options, dict):
            continue
        kind = options.get("type") or ""
        if isinstance(kind, str) and kind not in allowed:
            yield Violation(
                (*path, "seLinuxOptions", "type"),
                f"{who} sets SELinux type {kind!r}; allowed: "
                f"{', '.join(sorted(t for t in allowed if t))}",
            )
        for key in ("user", "role"):
            if options.get(key):
                yield Violation(
                    (*path, "seLinuxOptions", key), f"{who} sets a custom SELinux {key}"
                )


def _proc_mount(pod: Pod) -> Iterator[Violation]:
    for container in pod.containers:
        value = _context(container).get("procMount")
        if value is not None and value != "Default":
            yield Violation(
                (*container.path, "securityContext", "procMount"),
                f"{container.label} sets procMount: {value}, unmasking the node's /proc",
            )


def proc_mount_baseline(pod: Pod, version: Version) -> Iterator[Violation]:
    if not _user_namespace(pod, version):
        yield from _proc_mount(pod)


def proc_mount_restricted(pod: Pod, version: Version) -> Iterator[Violation]:
    yield from _proc_mount(pod)


def _seccomp_places(pod: Pod) -> list[tuple[JsonPath, dict[str, Any], str]]:
    places = [((*pod.path, "securityContext"), _pod_context(pod), "the Pod")]
    places += [((*c.path, "securityContext"), _context(c), c.label) for c in pod.containers]
    return places


def seccomp_baseline(pod: Pod, version: Version) -> Iterator[Violation]:
    for path, context, who in _seccomp_places(pod):
        profile = context.get("seccompProfile")
        if isinstance(profile, dict) and profile.get("type") == "Unconfined":
            yield Violation(
                (*path, "seccompProfile", "type"),
                f"{who} sets seccomp profile Unconfined: no system call filter",
            )


_SAFE_SYSCTLS: dict[Version, tuple[str, ...]] = {
    (1, 0): (
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
    ),
    (1, 27): ("net.ipv4.ip_local_reserved_ports",),
    (1, 29): (
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    ),
    (1, 32): ("net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"),
    (1, 37): ("net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"),
}


def safe_sysctls(version: Version) -> frozenset[str]:
    """The sysctls the standard (and the kubelet) treats as safe at that version."""
    return frozenset(n for since, names in _SAFE_SYSCTLS.items() if version >= since for n in names)


def sysctl_entries(pod: Pod) -> Iterator[tuple[JsonPath, str]]:
    """(path of the name, name) of each pod sysctl: the only place the API takes them."""
    sysctls = _pod_context(pod).get("sysctls")
    if isinstance(sysctls, list):
        for index, entry in enumerate(sysctls):
            name = _mapping(entry).get("name")
            if isinstance(name, str):
                yield (*pod.path, "securityContext", "sysctls", index, "name"), name


def sysctls(pod: Pod, version: Version) -> Iterator[Violation]:
    allowed = safe_sysctls(version)
    for path, name in sysctl_entries(pod):
        if name not in allowed:
            yield Violation(path, f"sysctl {name} is not in the safe set")


_HANDLERS = ("livenessProbe", "readinessProbe", "startupProbe")


def host_probes(pod: Pod, version: Version) -> Iterator[Violation]:
    for container in pod.containers:
        handlers = [((h,), container.data.get(h)) for h in _HANDLERS]
        lifecycle = _mapping(container.data.get("lifecycle"))
        handlers += [(("lifecycle", h), lifecycle.get(h)) for h in ("postStart", "preStop")]
        for where, handler in handlers:
            for action in ("httpGet", "tcpSocket"):
                host = _mapping(_mapping(handler).get(action)).get("host")
                if host:
                    yield Violation(
                        (*container.path, *where, action, "host"),
                        f"{container.label} {'.'.join(where)} targets host {host!r}: the "
                        f"kubelet would connect to another machine on the Pod's behalf",
                    )


# --- Restricted ---------------------------------------------------------------------

_RESTRICTED_VOLUMES = frozenset(
    (
        "configMap",
        "csi",
        "downwardAPI",
        "emptyDir",
        "ephemeral",
        "image",  # allowed since 1.33, patched into every policy version
        "persistentVolumeClaim",
        "projected",
        "secret",
    )
)


def volume_types(pod: Pod, version: Version) -> Iterator[Violation]:
    for index, volume in _volumes(pod):
        sources = [key for key in volume if key != "name"]
        # The API server defaults a volume without a source to an emptyDir.
        if not sources or any(source in _RESTRICTED_VOLUMES for source in sources):
            continue
        source = sources[0]
        yield Violation(
            (*pod.path, "volumes", index, source),
            f"volume {volume.get('name')!r} is of type {source}; allowed: "
            f"{', '.join(sorted(_RESTRICTED_VOLUMES))}",
        )


def _where(container: Container, *keys: str) -> JsonPath:
    """The deepest of the container's securityContext keys that exists: where to point."""
    data: Any = container.data
    path = container.path
    for key in ("securityContext", *keys):
        data = _mapping(data).get(key)
        if data is None:
            break
        path = (*path, key)
    return path


def privilege_escalation(pod: Pod, version: Version) -> Iterator[Violation]:
    if _windows(pod, version):
        return
    for container in pod.containers:
        if _context(container).get("allowPrivilegeEscalation") is not False:
            yield Violation(
                _where(container, "allowPrivilegeEscalation"),
                f"{container.label} must set securityContext.allowPrivilegeEscalation: false",
            )


def _shown(value: Any) -> str:
    return str(value.get("type")) if isinstance(value, dict) else str(value).lower()


def _required_setting(
    pod: Pod, good: Callable[[Any], bool], key: str, what: str
) -> Iterator[Violation]:
    """A setting every container needs, given on the Pod or on each container.

    An explicitly bad value is reported where it is; containers that inherit
    nothing are reported once on the Pod when none sets it, else each.
    """
    pod_value = _pod_context(pod).get(key)
    if pod_value is not None and not good(pod_value):
        typed = isinstance(pod_value, dict) and "type" in pod_value
        yield Violation(
            (*pod.path, "securityContext", key, *(["type"] if typed else [])),
            f"the Pod sets {key} {_shown(pod_value)}; it must set {what}",
        )
    unset = []
    for container in pod.containers:
        value = _context(container).get(key)
        if value is None:
            unset.append(container)
        elif not good(value):
            yield Violation(
                _where(container, key, "type"),
                f"{container.label} sets {key} {_shown(value)}; it must set {what}",
            )
    if pod_value is not None or not unset:
        return  # inherited from the Pod: good, or already reported there
    if len(unset) == len(pod.containers):
        path = (*pod.path, "securityContext") if pod.spec.get("securityContext") else pod.path
        yield Violation(path, f"neither the Pod nor its containers set {what}")
        return
    for container in unset:
        yield Violation(
            _where(container), f"{container.label} does not set {what}, nor does the Pod"
        )


def run_as_non_root(pod: Pod, version: Version) -> Iterator[Violation]:
    if _user_namespace(pod, version):
        return
    yield from _required_setting(
        pod, lambda value: value is True, "runAsNonRoot", "runAsNonRoot: true"
    )


def run_as_user(pod: Pod, version: Version) -> Iterator[Violation]:
    if _user_namespace(pod, version):
        return
    places = [((*pod.path, "securityContext"), _pod_context(pod), "the Pod")]
    places += [((*c.path, "securityContext"), _context(c), c.label) for c in pod.containers]
    for path, context, who in places:
        value = context.get("runAsUser")
        if value == 0 and not isinstance(value, bool):
            yield Violation((*path, "runAsUser"), f"{who} sets runAsUser: 0 (root)")


def _confined(profile: Any) -> bool:
    return isinstance(profile, dict) and profile.get("type") in ("RuntimeDefault", "Localhost")


def seccomp_restricted(pod: Pod, version: Version) -> Iterator[Violation]:
    if _windows(pod, version):
        return
    yield from _required_setting(
        pod, _confined, "seccompProfile", "seccompProfile.type RuntimeDefault or Localhost"
    )


def capabilities_restricted(pod: Pod, version: Version) -> Iterator[Violation]:
    if _windows(pod, version):
        return
    for container in pod.containers:
        dropped = _mapping(_context(container).get("capabilities")).get("drop")
        if not (isinstance(dropped, list) and "ALL" in dropped):
            yield Violation(
                _where(container, "capabilities", "drop"),
                f"{container.label} must drop ALL capabilities (capabilities.drop: [ALL])",
            )
        for path, name in _added_capabilities(container):
            if name != "NET_BIND_SERVICE":
                yield Violation(
                    path, f"{container.label} adds capability {name}; only NET_BIND_SERVICE may be"
                )


CONTROLS: tuple[Control, ...] = (
    Control("pss-host-process", "HostProcess", BASELINE, host_process),
    Control("pss-host-namespaces", "Host Namespaces", BASELINE, host_namespaces),
    Control("pss-privileged", "Privileged Containers", BASELINE, privileged),
    Control("pss-capabilities-baseline", "Capabilities", BASELINE, capabilities_baseline),
    Control("pss-host-path-volumes", "HostPath Volumes", BASELINE, host_path_volumes),
    Control("pss-host-ports", "Host Ports", BASELINE, host_ports),
    Control("pss-apparmor", "AppArmor", BASELINE, apparmor),
    Control("pss-selinux", "SELinux", BASELINE, selinux),
    Control("pss-proc-mount", "/proc Mount Type", BASELINE, proc_mount_baseline),
    Control("pss-seccomp-baseline", "Seccomp", BASELINE, seccomp_baseline),
    Control("pss-sysctls", "Sysctls", BASELINE, sysctls),
    Control(
        "pss-host-probes", "Host Probes / Lifecycle Hooks", BASELINE, host_probes, since=(1, 34)
    ),
    Control(
        "pss-volume-types",
        "Volume Types",
        RESTRICTED,
        volume_types,
        replaces="pss-host-path-volumes",
    ),
    Control(
        "pss-privilege-escalation",
        "Privilege Escalation",
        RESTRICTED,
        privilege_escalation,
        since=(1, 8),
    ),
    Control("pss-run-as-non-root", "Running as Non-root", RESTRICTED, run_as_non_root),
    Control("pss-run-as-user", "Running as Non-root user", RESTRICTED, run_as_user, since=(1, 23)),
    Control(
        "pss-seccomp-restricted",
        "Seccomp",
        RESTRICTED,
        seccomp_restricted,
        since=(1, 19),
        replaces="pss-seccomp-baseline",
    ),
    Control(
        "pss-capabilities-restricted",
        "Capabilities",
        RESTRICTED,
        capabilities_restricted,
        since=(1, 22),
        replaces="pss-capabilities-baseline",
    ),
    Control(
        "pss-proc-mount-restricted",
        "/proc Mount Type",
        RESTRICTED,
        proc_mount_restricted,
        replaces="pss-proc-mount",
    ),
)

BY_RULE = {control.rule: control for control in CONTROLS}


def controls(level: str) -> list[Control]:
    """The controls of a level: Restricted is Baseline's, less the ones it replaces,
    plus its own."""
    if level == BASELINE:
        return [c for c in CONTROLS if c.level == BASELINE]
    replaced = {c.replaces for c in CONTROLS if c.level == RESTRICTED}
    return [c for c in CONTROLS if c.rule not in replaced]


def message(control: Control, violation: Violation) -> str:
    """The control as the standard names it first: the same words as its documentation."""
    return f"{control.name} (Pod Security Standards, {control.level}): {violation.detail}"
