"""What a kustomization does to its objects, when nothing was built.

Without a Kustomize binary (or where a build failed) the raw files are
linted, but cross-object checks must still see each object as its
kustomizations make it: in their namespace, with their labels (in selectors
too where they say so), and as part of one root build, never paired with
another root's objects. Patches are not applied: that needs Kustomize itself.

`namePrefix`/`nameSuffix` are not applied: Kustomize renames the references
to a renamed object too (a serviceAccountName, a ConfigMap volume) but only
those to objects of the build, which takes its nameReference rules; renaming
names without references made references resolve to nothing (measured on the
corpus), and within one build, where all cross-object checks look, the names
unprefixed on both sides match as the prefixed ones do.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from k8slint.kube.filekinds import KUSTOMIZE_LABELLED_BASE, MANIFEST
from k8slint.kube.kinds import workload_kind
from k8slint.kustomize.tree import Build, Reader, entries, included_directories
from k8slint.model import Resource


@dataclass(frozen=True, slots=True)
class Transform:
    """The kustomizations a file passes through in one root build, innermost first."""

    build: str
    layers: tuple[dict[str, Any], ...]

    def apply(self, resource: Resource) -> Resource:
        """A copy of `resource` as the build would emit it (same file and positions)."""
        data = copy.deepcopy(resource.data)
        for layer in self.layers:
            _apply_layer(data, layer, resource)
        metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        return replace(
            resource,
            data=data,
            name=metadata.get("name", resource.name),
            namespace=metadata.get("namespace", resource.namespace),
            build=self.build,
            file_kind=MANIFEST
            if resource.file_kind == KUSTOMIZE_LABELLED_BASE
            else resource.file_kind,
            derived={},
        )


def transforms(build: Build, read: Reader) -> Iterator[tuple[str, Transform]]:
    """(absolute file, its transform) for every resource file of a root build."""
    for path, layers in _layers(build.directory, read, ()).items():
        yield path, Transform(build.display, tuple(layers))


def _layers(directory: str, read: Reader, seen: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    if directory in seen:
        return {}
    data = read(directory)
    found: dict[str, list[dict[str, Any]]] = {}
    for inner in included_directories(directory, read):
        for path, layers in _layers(inner, read, (*seen, directory)).items():
            found.setdefault(path, [*layers, data])
    for entry in entries(data, ("resources",)):
        target = os.path.normpath(os.path.join(directory, entry))
        if os.path.isfile(target):
            found.setdefault(target, [data])
    return found


def _apply_layer(data: dict[str, Any], layer: dict[str, Any], resource: Resource) -> None:
    metadata = data.setdefault("metadata", {})
    if not isinstance(metadata, dict):
        return
    namespace = layer.get("namespace")
    if isinstance(namespace, str) and namespace and _namespaced(data):
        metadata["namespace"] = namespace
    common = layer.get("commonLabels")
    if isinstance(common, dict):
        _add_labels(data, resource, _strings(common), selectors=True, templates=True)
    labels = layer.get("labels")
    for entry in labels if isinstance(labels, list) else ():
        if isinstance(entry, dict) and isinstance(entry.get("pairs"), dict):
            selectors = entry.get("includeSelectors") is True
            templates = selectors or entry.get("includeTemplates") is True
            _add_labels(data, resource, _strings(entry["pairs"]), selectors, templates)


def _strings(pairs: dict[Any, Any]) -> dict[str, str]:
    return {str(key): "" if value is None else str(value) for key, value in pairs.items()}


_CLUSTER_KINDS = frozenset(
    {
        "Namespace",
        "ClusterRole",
        "ClusterRoleBinding",
        "CustomResourceDefinition",
        "PersistentVolume",
        "StorageClass",
        "PriorityClass",
        "ValidatingWebhookConfiguration",
        "MutatingWebhookConfiguration",
        "APIService",
        "IngressClass",
    }
)


def _namespaced(data: dict[str, Any]) -> bool:
    return data.get("kind") not in _CLUSTER_KINDS


def _add_labels(
    data: dict[str, Any],
    resource: Resource,
    pairs: dict[str, str],
    selectors: bool,
    templates: bool,
) -> None:
    """Labels on the object; on its selector and pod template where the kustomization
    says so (as Kustomize's label transformer does, for the kinds it knows)."""
    _merge(data, ("metadata", "labels"), pairs)
    if not selectors and not templates:
        return
    kind = data.get("kind")
    spec = data.get("spec")
    if not isinstance(spec, dict):
        return
    if selectors and kind in ("Service", "ReplicationController"):
        _merge(data, ("spec", "selector"), pairs)
    if workload_kind(resource) is None or kind == "Pod":
        return
    if templates:
        if kind == "CronJob":
            _merge(data, ("spec", "jobTemplate", "spec", "template", "metadata", "labels"), pairs)
        else:
            _merge(data, ("spec", "template", "metadata", "labels"), pairs)
    if selectors and kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
        _merge(data, ("spec", "selector", "matchLabels"), pairs)


def _merge(data: dict[str, Any], path: tuple[str, ...], pairs: dict[str, str]) -> None:
    node: Any = data
    for step in path:
        if not isinstance(node, dict):
            return
        if not isinstance(node.get(step), dict):
            node[step] = {}
        node = node[step]
    node.update(pairs)
