"""Host networking and namespaces: stepping outside the Pod's own sandbox.

Each Pod normally has its own network namespace, joined to the node through a
veth pair and a bridge, and its own process and IPC namespaces. hostNetwork,
hostPort, hostPID and hostIPC each trade that isolation for a share of the
node's, with consequences for scheduling (one port per node) and security.
"""

from __future__ import annotations

from collections.abc import Iterator

from k8slint.checks.api import CheckContext, check
from k8slint.kube.kinds import is_workload
from k8slint.kube.pod import pod_of
from k8slint.model import Problem, Resource


@check(scope="resource", applies_to=is_workload)
def host_network(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None or not pod.host_network:
        return
    # A DaemonSet runs one Pod per node anyway; for the others it caps the replicas.
    cap = "" if pod.workload.kind == "DaemonSet" else " (at most one replica per node)"
    yield Problem(
        (*pod.path, "hostNetwork"),
        f"hostNetwork: true puts the Pod in the node's network namespace instead of its own: "
        f"its ports are the node's, so they clash with the node's services and with other "
        f"such Pods on the node{cap}: remove it unless the Pod must manage the node's "
        f"network, and expose it through a Service",
    )


@check(scope="resource", applies_to=is_workload)
def host_port(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    for container in pod.containers:
        for port in container.ports:
            if port.host_port is None:
                continue
            path = (*port.path, "hostPort")
            if not pod.host_network:
                yield Problem(
                    path,
                    f"hostPort {port.host_port} on {container.label} binds that port on the "
                    f"node, so the Pod schedules only onto nodes where it is free (at most one "
                    f"such Pod per node): expose the Pod through a Service (NodePort or "
                    f"LoadBalancer) instead",
                )
            elif port.number is not None and port.host_port != port.number:
                yield Problem(
                    path,
                    f"hostPort {port.host_port} differs from containerPort {port.number} on "
                    f"{container.label}; with hostNetwork: true the container binds the "
                    f"node's ports directly, so the two must be equal (the API rejects this): "
                    f"set hostPort to {port.number} or remove it",
                    severity="error",
                )


_HOST_NAMESPACES = {
    "hostPID": "sees every process on the node and can signal or trace those it has rights to",
    "hostIPC": "shares the node's shared memory and semaphores with every process on the node",
}


@check(scope="resource", applies_to=is_workload)
def host_namespace(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    for key, consequence in _HOST_NAMESPACES.items():
        if pod.spec.get(key) is True:
            yield Problem(
                (*pod.path, key),
                f"{key}: true puts the Pod in the node's namespace instead of its own, so it "
                f"{consequence}: remove it unless a node agent really needs it",
            )
