"""A root's build output as objects that point where the user wrote each field.

Kustomize's output is parsed, its origin annotations (added by the build's
wrapper, `build`) read and removed, and each object given the layers of
kustomizations it went through (`origin`): a finding on a built object points
into the base, the patch or the kustomization that wrote the field. Only a
run with a root that built needs this (and YAML): `stage` imports it then.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import yaml

from k8slint.kustomize.build import BuildOutput
from k8slint.kustomize.origin import (
    BUILD_ANNOTATIONS,
    ORIGIN,
    BuiltObject,
    Doc,
    Documents,
    find_source,
    read_layer,
)
from k8slint.kustomize.tree import Build, Reader, chain
from k8slint.load.loader import load_text
from k8slint.model import Location, Resource


def built_objects(
    build: Build,
    output: BuildOutput,
    documents: Documents,
    read: Reader,
    display: Callable[[str], str],
) -> list[Resource] | None:
    """The objects `build` produced (None: its output does not parse); `documents`
    are the run's raw objects by file, `display` names a file as the user did."""
    loaded = load_text(output.text or "", build.display)
    if loaded.parse_failed:
        return None
    objects = [resource.data for resource in loaded.resources]
    layers = [
        layer
        for directory in chain(build.directory, read)
        if (layer := read_layer(directory, documents)) is not None
    ]
    fallback = Location(build.kustomization, 1, 1)
    return [
        _resource(build, data, output.wrapper, layers, fallback, documents, display)
        for data in objects
        if isinstance(data, dict)
    ]


def _resource(
    build: Build,
    data: dict[str, Any],
    wrapper: str,
    layers: list[Any],
    fallback: Location,
    documents: Documents,
    display: Callable[[str], str],
) -> Resource:
    origin = _strip_annotations(data)
    metadata = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    name = metadata.get("name") if isinstance(metadata.get("name"), str) else None
    source: Doc | None = None
    where = fallback
    path = origin.get("path")
    if isinstance(path, str) and "repo" not in origin:
        file = os.path.normpath(os.path.join(wrapper, path))
        if "configuredIn" in origin:
            where = Location(display(file), 1, 1)
        else:
            source = find_source(documents.of(file), data.get("kind"), name or "")
    built = BuiltObject(data, source, layers, where)
    shown = source.file if source is not None else where.file
    return Resource(
        shown,
        0,
        data.get("apiVersion"),
        data.get("kind"),
        name,
        metadata.get("namespace"),
        data,
        built.position,
        origin=built.location,
        build=build.display,
    )


def _strip_annotations(data: dict[str, Any]) -> dict[str, Any]:
    """Remove Kustomize's build annotations (no rule may see them); return the origin."""
    metadata = data.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if not isinstance(annotations, dict):
        return {}
    text = annotations.get(ORIGIN)
    for key in BUILD_ANNOTATIONS:
        annotations.pop(key, None)
    if not annotations:
        del metadata["annotations"]
    try:
        origin = yaml.safe_load(text) if isinstance(text, str) else None
    except yaml.YAMLError:
        origin = None
    return origin if isinstance(origin, dict) else {}
