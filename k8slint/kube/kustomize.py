"""What a Kustomization near a manifest will do to it at build time.

Raw Kustomize inputs are not the objects that get applied, so two kinds of
finding would be wrong on them:

- `commonLabels` (and `labels` with `includeSelectors: true`) add labels to
  every object's labels *and selectors*: a base Deployment without
  `spec.selector` gets one at build time.
- A patch (`patches:`, `patchesStrategicMerge:` of a kustomization in the
  file's directory or above it) holds only the fields it changes: it lacks the
  selector and template of the Deployment it patches by design, so "missing
  required field" says nothing about it. Wrong types and unknown fields stay
  errors: they break the patched object too.

Piped `kustomize build` output (stdin) is already built: none of this applies.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from typing import Any

from k8slint.kube.kinds import pod_spec
from k8slint.load.loader import KUSTOMIZE_FILE_NAMES, YAMLError, parse_yaml
from k8slint.model import Resource

_MAX_LEVELS = 6
"""How far up a patch's kustomization may live (overlays/<name>/patches/x.yaml)."""


@functools.cache
def _kustomization(directory: str) -> dict[str, Any]:
    """The kustomization file of `directory`, parsed (empty if none or unreadable)."""
    for name in sorted(KUSTOMIZE_FILE_NAMES):
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        try:
            with open(path, encoding="utf-8-sig") as handle:
                data = parse_yaml(handle.read())
        except (OSError, ValueError, YAMLError):
            return {}
        return data if isinstance(data, dict) else {}
    return {}


def _as_list(value: object) -> list[object]:
    return value if isinstance(value, list) else []


def adds_selector_labels(file: str) -> bool:
    """Whether a Kustomization beside `file` adds labels to selectors."""
    if not os.path.isfile(file):
        return False
    data = _kustomization(os.path.dirname(os.path.abspath(file)))
    if isinstance(data.get("commonLabels"), dict) and data["commonLabels"]:
        return True
    return any(
        isinstance(item, dict) and item.get("includeSelectors") is True
        for item in _as_list(data.get("labels"))
    )


@functools.cache
def _patches_listed_in(directory: str) -> frozenset[str]:
    """Absolute paths of the patch files the kustomization in `directory` names."""
    data = _kustomization(directory)
    named: list[str] = []
    for entry in _as_list(data.get("patchesStrategicMerge")):
        if isinstance(entry, str) and "\n" not in entry:
            named.append(entry)
    for entry in _as_list(data.get("patches")):
        target = entry.get("path") if isinstance(entry, dict) else entry
        if isinstance(target, str) and "\n" not in target:
            named.append(target)
    return frozenset(os.path.normpath(os.path.join(directory, item)) for item in named)


def is_patch_file(file: str) -> bool:
    """Is `file` named as a patch by a kustomization in its directory or above?"""
    if not os.path.isfile(file):
        return False  # stdin, or a file given by another name
    target = os.path.normpath(os.path.abspath(file))
    directory = os.path.dirname(target)
    for _ in range(_MAX_LEVELS):
        if target in _patches_listed_in(directory):
            return True
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    return False


def has_patch_directives(data: Any) -> bool:
    """Does the document hold strategic-merge-patch directives (`$patch: delete`,
    `$setElementOrder/...`)? Then it is a patch, not a whole object."""
    if isinstance(data, dict):
        return any(
            (isinstance(key, str) and key.startswith("$")) or has_patch_directives(value)
            for key, value in data.items()
        )
    if isinstance(data, list):
        return any(has_patch_directives(item) for item in data)
    return False


def _kustomization_directories(file: str) -> Iterator[str]:
    """The directories of `file` and above (up to `_MAX_LEVELS`) that hold a kustomization."""
    if not os.path.isfile(file):
        return
    directory = os.path.dirname(os.path.abspath(file))
    for _ in range(_MAX_LEVELS):
        if _kustomization(directory):
            yield directory
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent


def _awaits_image(resource: Resource) -> bool:
    """A pod template without containers, or with one that has no image (yet)."""
    pod = pod_spec(resource)
    if pod is None:
        return False
    regular = pod.spec.get("containers")
    return not (
        isinstance(regular, list)
        and regular
        and all(isinstance(c, dict) and c.get("image") for c in regular)
    )


def is_kustomize_input(resource: Resource) -> bool:
    """A Kustomize input rather than the object that gets applied: a patch (by its
    kustomization or its `$patch` directives), a base whose kustomization adds its
    selector, or a base workload under a kustomization whose containers await their
    image from it (`images:`) or an overlay. Its missing fields are not missing from
    what gets applied. Anything else is judged as the API would judge it."""
    if has_patch_directives(resource.data) or is_patch_file(resource.file):
        return True
    if adds_selector_labels(resource.file):
        return True
    return _awaits_image(resource) and any(_kustomization_directories(resource.file))


@functools.cache
def kustomization_root(file: str) -> str | None:
    """The nearest directory at or above `file` that holds a kustomization: what
    one build of it takes in (the objects of that directory and below)."""
    return next(_kustomization_directories(file), None)


@functools.cache
def namespace_rewritten(file: str) -> bool:
    """Whether a kustomization at or above `file` sets `namespace:` (the build
    rewrites every object's namespace, so the file's own says little)."""
    return any(
        isinstance(_kustomization(directory).get("namespace"), str)
        for directory in _kustomization_directories(file)
    )


def generated_names(file: str) -> frozenset[tuple[str, str]]:
    """(kind, name) of the ConfigMaps and Secrets that `configMapGenerator` and
    `secretGenerator` of a kustomization in the file's directory or above create.
    Kustomize rewrites references to them to the hashed name, so a pod template
    naming one refers to an object the build defines."""
    return frozenset(
        found for directory in _kustomization_directories(file) for found in _generated(directory)
    )


@functools.cache
def _generated(directory: str) -> frozenset[tuple[str, str]]:
    data = _kustomization(directory)
    return frozenset(
        (kind, entry["name"])
        for key, kind in (("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret"))
        for entry in _as_list(data.get(key))
        if isinstance(entry, dict) and isinstance(entry.get("name"), str)
    )
