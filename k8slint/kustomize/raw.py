"""What a kustomization does to its objects, when nothing was built.

Without a Kustomize binary (or where a build failed) the raw files are
linted, but cross-object checks must still see each object as its
kustomizations make it: in their namespace, with their labels (in selectors
too where they say so), under the names `namePrefix`/`nameSuffix` give them
(and references to them renamed, as Kustomize does: `namerefs`), and as part
of one root build, never paired with another root's objects. Patches are not
applied: that needs Kustomize itself.

A view shares the loaded object's data except on the paths it changes
(`writable`): a base used by several roots is seen once per root.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from k8slint.kube.filekinds import KUSTOMIZE_LABELLED_BASE, MANIFEST
from k8slint.kube.kinds import workload_kind
from k8slint.kustomize.namerefs import Names, Renamed, rename_references
from k8slint.kustomize.tree import Build, Reader, entries, included_directories
from k8slint.kustomize.writable import Writable
from k8slint.model import Resource


@dataclass(frozen=True, slots=True)
class Transform:
    """The kustomizations a file passes through in one root build, innermost first."""

    build: str
    layers: tuple[dict[str, Any], ...]

    def viewed(self, resource: Resource) -> tuple[Resource, Renamed | None]:
        """A view of `resource` as the build would emit it (same file and positions),
        before references to renamed objects are renamed (`view` does that), and
        what a prefix or suffix renamed (None: nothing)."""
        data = Writable(resource.data)
        names: list[str] = []
        for layer in self.layers:
            _apply_layer(data, layer, resource, names)
        metadata = data.root.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        viewed = replace(
            resource,
            data=data.root,
            name=metadata.get("name", resource.name),
            namespace=metadata.get("namespace", resource.namespace),
            build=self.build,
            file_kind=MANIFEST
            if resource.file_kind == KUSTOMIZE_LABELLED_BASE
            else resource.file_kind,
            derived={},
        )
        renamed = None
        if names and isinstance(resource.kind, str) and isinstance(viewed.name, str):
            namespace = None if resource.kind in _CLUSTER_KINDS else viewed.namespace
            written = resource.namespace or (None if namespace is None else "default")
            renamed = Renamed(resource.kind, tuple(names), namespace, written, viewed.name)
        return viewed, renamed


def view(pairs: list[tuple[Transform, Resource]]) -> list[Resource]:
    """The raw objects as their builds make them, in the order given: each
    build's references to the objects it renamed are renamed too."""
    applied = [(transform.build, *transform.viewed(resource)) for transform, resource in pairs]
    by_build: dict[str, list[Renamed]] = {}
    for build, _, renamed in applied:
        if renamed is not None:
            by_build.setdefault(build, []).append(renamed)
    names = {build: Names(renamed) for build, renamed in by_build.items()}
    out: list[Resource] = []
    for build, viewed, _ in applied:
        found = names.get(build)
        if found and isinstance(viewed.kind, str):
            data = Writable(viewed.data)
            rename_references(data, viewed.kind, viewed.namespace, found)
            viewed = replace(viewed, data=data.root)
        out.append(viewed)
    return out


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


def _apply_layer(
    data: Writable, layer: dict[str, Any], resource: Resource, names: list[str]
) -> None:
    """One kustomization's namespace, prefix/suffix and labels; `names` gathers
    the names the object had, where a prefix or suffix changed it."""
    metadata = data.node(("metadata",), create="metadata" not in data.root)
    if not isinstance(metadata, dict):
        return
    namespace = layer.get("namespace")
    if isinstance(namespace, str) and namespace and _namespaced(data.root):
        metadata["namespace"] = namespace
    prefix, suffix = (layer.get(key) for key in ("namePrefix", "nameSuffix"))
    name = metadata.get("name")
    if (prefix or suffix) and isinstance(name, str) and data.root.get("kind") not in _NOT_RENAMED:
        renamed = f"{prefix if isinstance(prefix, str) else ''}{name}"
        renamed += suffix if isinstance(suffix, str) else ""
        if renamed != name:
            names[:] = [*(names or [name]), renamed]
            metadata["name"] = renamed
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


_NOT_RENAMED = frozenset({"Namespace", "CustomResourceDefinition", "APIService"})
"""Kinds Kustomize's prefix/suffix transformer skips (checked with `kubectl kustomize`)."""


def _namespaced(data: dict[str, Any]) -> bool:
    return data.get("kind") not in _CLUSTER_KINDS


def _add_labels(
    data: Writable,
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
    kind = data.root.get("kind")
    if not isinstance(data.root.get("spec"), dict):
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


def _merge(data: Writable, path: tuple[str, ...], pairs: dict[str, str]) -> None:
    data.node(path, create=True).update(pairs)
