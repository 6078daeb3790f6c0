"""Kustomize's name references, for the raw view of a build.

`namePrefix`/`nameSuffix` rename an object, and Kustomize then renames every
reference to it from the objects of the same build (a Deployment's ConfigMap
volume, an HPA's scaleTargetRef, a RoleBinding's subjects): its
nameReference transformer. A reference to something the build does not
contain keeps its name. Renaming names without their references would break
every reference in a prefixed tree, so the raw view does both.

The table is Kustomize's default nameReference configuration
(api/konfig/builtinpluginconsts/namereference.go, as in Kustomize 5.5, the one
kubectl 1.32 bundles), checked with `kubectl kustomize`: it has its own gaps,
kept here (a ReplicaSet's `serviceAccountName` is not renamed). Left out:
references no cross-object check reads (Role `resourceNames`, annotations,
StorageClass parameters, Node config sources).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from k8slint.kustomize.writable import Writable
from k8slint.model import JsonPath

_POD_SPEC = {
    "Pod": "spec",
    "PodTemplate": "template/spec",
    "Deployment": "spec/template/spec",
    "ReplicaSet": "spec/template/spec",
    "DaemonSet": "spec/template/spec",
    "StatefulSet": "spec/template/spec",
    "Job": "spec/template/spec",
    "ReplicationController": "spec/template/spec",
    "CronJob": "spec/jobTemplate/spec/template/spec",
}
"""Where each kind keeps the pod spec that Kustomize's field specs name."""

_TEMPLATED = ("Pod", "PodTemplate", "Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job")
_TEMPLATED_NOT_RS = ("Pod", "Deployment", "DaemonSet", "StatefulSet", "Job")
_BY_POD = (*_TEMPLATED_NOT_RS, "ReplicationController", "CronJob")
"""Kustomize lists ServiceAccount, claim and PriorityClass references for these
kinds only (no ReplicaSet); ConfigMap and Secret ones for `_TEMPLATED` and CronJob."""


def _in_pods(kinds: Iterable[str], *paths: str) -> list[tuple[str, str]]:
    return [(kind, f"{_POD_SPEC[kind]}/{path}") for kind in kinds for path in paths]


_CONFIG_MAP_IN_POD = (
    "volumes/configMap/name",
    "containers/env/valueFrom/configMapKeyRef/name",
    "initContainers/env/valueFrom/configMapKeyRef/name",
    "containers/envFrom/configMapRef/name",
    "initContainers/envFrom/configMapRef/name",
    "volumes/projected/sources/configMap/name",
)
_SECRET_IN_POD = (
    "volumes/secret/secretName",
    "containers/env/valueFrom/secretKeyRef/name",
    "initContainers/env/valueFrom/secretKeyRef/name",
    "containers/envFrom/secretRef/name",
    "initContainers/envFrom/secretRef/name",
    "imagePullSecrets/name",
    "volumes/projected/sources/secret/name",
)

REFERRERS: dict[str, list[tuple[str, str]]] = {
    "ConfigMap": _in_pods((*_TEMPLATED, "CronJob"), *_CONFIG_MAP_IN_POD),
    "Secret": [
        *_in_pods((*_TEMPLATED, "CronJob"), *_SECRET_IN_POD),
        ("Ingress", "spec/tls/secretName"),
        ("ServiceAccount", "imagePullSecrets/name"),
    ],
    "Service": [
        ("StatefulSet", "spec/serviceName"),
        ("Ingress", "spec/rules/http/paths/backend/serviceName"),
        ("Ingress", "spec/backend/serviceName"),
        ("Ingress", "spec/rules/http/paths/backend/service/name"),
        ("Ingress", "spec/defaultBackend/service/name"),
        ("APIService", "spec/service/name"),
        ("ValidatingWebhookConfiguration", "webhooks/clientConfig/service/name"),
        ("MutatingWebhookConfiguration", "webhooks/clientConfig/service/name"),
    ],
    "Role": [("RoleBinding", "roleRef/name")],
    "ClusterRole": [("RoleBinding", "roleRef/name"), ("ClusterRoleBinding", "roleRef/name")],
    "ServiceAccount": [
        ("RoleBinding", "subjects/name"),
        ("ClusterRoleBinding", "subjects/name"),
        *_in_pods(_BY_POD, "serviceAccountName"),
    ],
    "PersistentVolumeClaim": _in_pods(_BY_POD, "volumes/persistentVolumeClaim/claimName"),
    "PersistentVolume": [("PersistentVolumeClaim", "spec/volumeName")],
    "StorageClass": [
        ("PersistentVolume", "spec/storageClassName"),
        ("PersistentVolumeClaim", "spec/storageClassName"),
        ("StatefulSet", "spec/volumeClaimTemplates/spec/storageClassName"),
    ],
    "PriorityClass": _in_pods(_BY_POD, "priorityClassName"),
    "IngressClass": [("Ingress", "spec/ingressClassName")],
    **{
        kind: [("HorizontalPodAutoscaler", "spec/scaleTargetRef/name")]
        for kind in ("Deployment", "ReplicationController", "ReplicaSet", "StatefulSet")
    },
}
"""Referenced kind -> (referring kind, path); a path runs through lists as Kustomize's do."""

_BY_REFERRER: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
for _target, _specs in REFERRERS.items():
    for _referrer, _path in _specs:
        _BY_REFERRER.setdefault(_referrer, []).append((_target, tuple(_path.split("/"))))

_KIND_NAMED_BESIDE = {"scaleTargetRef", "roleRef", "subjects"}
"""Holders that say the kind they name: a reference applies to that kind only."""


@dataclass(frozen=True, slots=True)
class Renamed:
    """An object of a build that a prefix or suffix renamed."""

    kind: str
    names: tuple[str, ...]
    """Every name it had, as written first and after each layer."""
    namespace: str | None
    """After the build (None: cluster-scoped)."""
    written_namespace: str | None
    """As written (`default` if it says none), which a RoleBinding subject may name."""
    final: str


class Names:
    """The renamed objects of one build, by kind and any name they had."""

    def __init__(self, renamed: Iterable[Renamed]) -> None:
        self._by_name: dict[tuple[str, str], list[Renamed]] = {}
        for item in renamed:
            for name in set(item.names) - {item.final}:
                self._by_name.setdefault((item.kind, name), []).append(item)

    def __bool__(self) -> bool:
        return bool(self._by_name)

    def new_name(self, kind: str, name: str, namespace: str | None, subject: bool) -> str | None:
        """The name a reference to `kind`/`name` from `namespace` becomes; None
        where the build has no such object (or more than one could be meant).
        `namespace` None: the referrer does not say (cluster-scoped)."""
        found = {
            item.final
            for item in self._by_name.get((kind, name), ())
            if namespace is None
            or item.namespace in (None, namespace)
            or (subject and item.written_namespace == namespace)
        }
        return found.pop() if len(found) == 1 else None


def rename_references(data: Writable, kind: str, namespace: str | None, names: Names) -> None:
    """Rename, in one object of the build, the references to renamed objects."""
    for target, path in _BY_REFERRER.get(kind, ()):
        for at, holder in _holders(data.root, path[:-1], ()):
            value = holder.get(path[-1])
            if not isinstance(value, str) or not _names_kind(holder, path, target):
                continue
            subject = path[-2:] == ("subjects", "name")
            looks_in = namespace
            if subject and isinstance(holder.get("namespace"), str):
                looks_in = holder["namespace"]  # a subject says where its account is
            new = names.new_name(target, value, looks_in, subject)
            if new is not None:
                data.node(at)[path[-1]] = new


def _holders(node: Any, path: tuple[str, ...], at: JsonPath) -> Iterator[tuple[JsonPath, dict]]:
    """The mappings at `path` under `node`, and their paths: a list on the way
    is walked item by item."""
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _holders(item, path, (*at, index))
        return
    if not isinstance(node, dict):
        return
    if not path:
        yield at, node
        return
    yield from _holders(node.get(path[0]), path[1:], (*at, path[0]))


def _names_kind(holder: dict[str, Any], path: tuple[str, ...], target: str) -> bool:
    if len(path) >= 2 and path[-2] in _KIND_NAMED_BESIDE:
        return holder.get("kind") in (None, target)
    return True
