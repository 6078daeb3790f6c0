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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from k8slint.kube.definitions import Definitions

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


def type_file_name(definition: str) -> str:
    """The per-type schema file of a definition: `io.k8s.api.apps.v1.DeploymentSpec`
    is `deploymentspec-apps-v1`, `io.k8s.api.core.v1.PodSpec` is `podspec-v1`."""
    parts = definition.split(".")
    kind, group, version = parts[-1].lower(), parts[-3], parts[-2]
    return f"{kind}-{version}" if group == "core" else f"{kind}-{group}-{version}"


@functools.cache
def field_names(version: Version, type_file: str) -> frozenset[str]:
    """The property names of one API type in one version: our field tables."""
    return frozenset(type_schema(version, type_file).get("properties", {}))


def definitions(version: Version, strict: bool = True) -> Definitions:
    """A version's definitions, by name (its `_definitions.json`, against which the
    per-kind schemas' `$ref`s resolve), each decoded when first asked for."""
    return _definitions(version, strict)


@functools.cache
def _definitions(version: Version, strict: bool) -> Definitions:
    # Keyed (version, strict) whatever the caller's spelling: `(version,)` apart
    # from `(version, True)` once read the same file twice in a one-file lint.
    from k8slint.kube.definitions import Definitions  # not for a cached run

    with open(definitions_path(version, strict), encoding="utf-8") as handle:
        return Definitions(handle.read())


def definitions_path(version: Version, strict: bool = True) -> str:
    return os.path.join(_version_dir(version, strict), "_definitions.json")


@functools.cache
def _files_by_kind(version: Version) -> dict[str, list[str]]:
    """Schema file names by their lower-cased kind (the part before the first dash)."""
    found: dict[str, list[str]] = {}
    for name in sorted(os.listdir(_version_dir(version))):
        if name.endswith(".json") and "-" in name:
            found.setdefault(name.partition("-")[0], []).append(name)
    return found


@functools.cache
def kind_files(version: Version, kind: str) -> dict[str, str]:
    """apiVersion -> schema file name for every apiVersion that serves `kind` in `version`.

    kubernetes-validate names a kind's file `<kind>-<first label of group>-<version>`,
    which two groups can share (apps/v1 and a CRD group apps.example.com/v1), so
    the group-version-kind inside each candidate file decides; only the few
    small files whose names fit are read, never the whole version.
    """
    found: dict[str, str] = {}
    for name in _files_by_kind(version).get(kind.lower(), ()):
        schema = _read_kind_file(version, name, True)
        for gvk in schema.get("x-kubernetes-group-version-kind", ()):
            if gvk.get("kind") == kind:
                group, api = gvk.get("group", ""), gvk.get("version", "")
                found[f"{group}/{api}" if group else api] = name
    return found


@functools.cache
def _read_kind_file(version: Version, name: str, strict: bool) -> dict[str, Any]:
    with open(os.path.join(_version_dir(version, strict), name), encoding="utf-8") as handle:
        return json.load(handle)


def kind_schema(version: Version, api_version: str, kind: str, strict: bool = True) -> dict | None:
    """The top-level schema of an object type, or None if `version` does not serve it."""
    name = kind_files(version, kind).get(api_version)
    return None if name is None else _read_kind_file(version, name, strict)


def serves(version: Version, api_version: str, kind: str) -> bool:
    return api_version in kind_files(version, kind)


@functools.cache
def builtin_kinds(version: Version) -> frozenset[tuple[str, str]]:
    """(apiVersion, kind) of every top-level object type the version serves."""
    kinds = set()
    for gvk in definitions(version).group_version_kinds():
        group, api_version = gvk.get("group", ""), gvk.get("version", "")
        kinds.add((f"{group}/{api_version}" if group else api_version, gvk.get("kind", "")))
    return frozenset(kinds)


OLDEST_ONLY_KINDS = frozenset({"ClusterCIDR", "ClusterCIDRList"})
"""Kind names that the oldest bundled version serves and the newest does not.

Written down rather than read: the oldest version's definitions are 1.8 MB of
JSON that a lint otherwise never parses, for two names. tests/test_openapi.py
compares it with both versions' definitions, so a kubernetes-validate with
other versions fails there until this is updated.
"""


@functools.cache
def builtin_kind_names() -> frozenset[str]:
    """Kind names that the newest or the oldest bundled version serves."""
    return frozenset(kind for _, kind in builtin_kinds(newest_version())) | OLDEST_ONLY_KINDS


@functools.cache
def builtin_groups(version: Version) -> frozenset[str]:
    """The API groups a version serves itself (`` for core, `apps`, `networking.k8s.io`);
    no CustomResourceDefinition may define a kind in them."""
    return frozenset(api.rpartition("/")[0] for api, _ in builtin_kinds(version))
