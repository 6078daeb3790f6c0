"""The Kubernetes API schemas that kubernetes-validate bundles, one directory per version.

Only the data files are read, never the package's code: importing it pulls in
PyYAML and builds validators we do not need, and a one-file pre-commit run
must stay fast. Every read is cached and lazy, so a run pays only for the
types it touches.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import re
from typing import Any

_VERSION_DIR = re.compile(r"^v(\d+)\.(\d+)\.(\d+)-local(-strict)?$")
_VERSION_ARG = re.compile(r"^v?(\d+)\.(\d+)(?:\.\d+)?$")

Version = tuple[int, int]


class UnsupportedVersionError(ValueError):
    """The user asked for a Kubernetes version we have no schema for."""


@functools.cache
def schema_root() -> str:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("kubernetes-validate is not installed; it provides the API schemas")
    return os.path.join(next(iter(spec.submodule_search_locations)), "kubernetes-json-schema")


@functools.cache
def bundled_versions() -> tuple[Version, ...]:
    found = set()
    for entry in os.listdir(schema_root()):
        match = _VERSION_DIR.match(entry)
        if match:
            found.add((int(match.group(1)), int(match.group(2))))
    return tuple(sorted(found))


def newest_version() -> Version:
    return bundled_versions()[-1]


def format_version(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def parse_version(text: str) -> Version:
    """Accept `1.29`, `v1.29` and `1.29.3` (the patch level does not change the API)."""
    match = _VERSION_ARG.match(text.strip())
    supported = ", ".join(format_version(v) for v in bundled_versions())
    if not match:
        raise UnsupportedVersionError(
            f"{text!r} is not a Kubernetes version (use e.g. 1.31); supported: {supported}"
        )
    version = (int(match.group(1)), int(match.group(2)))
    if version not in bundled_versions():
        raise UnsupportedVersionError(
            f"Kubernetes {format_version(version)} is not supported; supported: {supported}"
        )
    return version


def _version_dir(version: Version, strict: bool = True) -> str:
    suffix = "-strict" if strict else ""
    return os.path.join(schema_root(), f"v{version[0]}.{version[1]}.0-local{suffix}")


@functools.cache
def type_schema(version: Version, type_file: str) -> dict[str, Any]:
    """The schema of one API type, e.g. `podspec-v1` (empty if this version lacks it)."""
    path = os.path.join(_version_dir(version), f"{type_file}.json")
    try:
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        return {}


@functools.cache
def field_names(version: Version, type_file: str) -> frozenset[str]:
    """The property names of one API type in one version: our field tables."""
    return frozenset(type_schema(version, type_file).get("properties", {}))


@functools.cache
def definitions(version: Version) -> dict[str, Any]:
    """All definitions of a version (about 1 MB of JSON: loaded only when needed)."""
    path = os.path.join(_version_dir(version), "_definitions.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle).get("$defs", {})


@functools.cache
def builtin_kinds(version: Version) -> frozenset[tuple[str, str]]:
    """(apiVersion, kind) of every top-level object type the version serves."""
    kinds = set()
    for definition in definitions(version).values():
        for gvk in definition.get("x-kubernetes-group-version-kind", ()):
            group, api_version = gvk.get("group", ""), gvk.get("version", "")
            kinds.add((f"{group}/{api_version}" if group else api_version, gvk.get("kind", "")))
    return frozenset(kinds)


@functools.cache
def builtin_kind_names() -> frozenset[str]:
    """Kind names that any bundled version knows (with the newest's list first)."""
    names: set[str] = set()
    for version in (newest_version(), bundled_versions()[0]):
        names.update(kind for _, kind in builtin_kinds(version))
    return frozenset(names)
