"""A Pod's volumes as ValidateVolumes and validateVolumeSource
(pkg/apis/core/validation) judge them."""

from __future__ import annotations

from typing import Any

from k8slint.checks.api_validation._base import Findings
from k8slint.kube import names
from k8slint.model import JsonPath

HOST_PATH_TYPES = (
    "",
    "DirectoryOrCreate",
    "Directory",
    "FileOrCreate",
    "File",
    "Socket",
    "CharDevice",
    "BlockDevice",
)  # supportedHostPathTypes
_MAX_MODE = 0o777
_FILE_SOURCES = ("configMap", "secret", "downwardAPI", "projected")
"""Sources that write files with a defaultMode (and items with a mode each)."""


def check_volumes(found: Findings, path: JsonPath, spec: dict[str, Any]) -> None:
    """Names are DNS labels and unique; at most one source each. (A volume with no
    source at all is defaulted to emptyDir, so that is valid.)"""
    seen: set[str] = set()
    for index, volume in found.items(spec, "volumes"):
        where = (*path, "volumes", index)
        name = found.string(volume, "name")
        if name is not None:
            found.syntax(name, (*where, "name"), "volume name", names.dns1123_label)
            if name in seen:
                found.add((*where, "name"), f"volume name {name!r} is used twice in the Pod")
            seen.add(name)
        sources = [key for key in volume if key != "name"]
        if len(sources) > 1:
            found.add(
                (*where, sources[1]),
                f"volume {name or index} has more than one source ({', '.join(sources)}): "
                "a volume has exactly one",
            )
        _source(found, where, volume)


def _source(found: Findings, path: JsonPath, volume: dict[str, Any]) -> None:
    empty_dir = found.mapping(volume, "emptyDir")
    if "sizeLimit" in empty_dir:
        found.quantity(
            empty_dir["sizeLimit"], (*path, "emptyDir", "sizeLimit"), "emptyDir.sizeLimit"
        )
    found.enum(found.mapping(volume, "hostPath"), "type", (*path, "hostPath"), HOST_PATH_TYPES)
    claim = found.mapping(volume, "persistentVolumeClaim")
    if claim.get("claimName") == "":
        found.add((*path, "persistentVolumeClaim", "claimName"), "claimName must not be empty")
    for kind in _FILE_SOURCES:
        source = found.mapping(volume, kind)
        if source:
            _files(found, (*path, kind), source, "defaultMode")
    for index, projection in found.items(found.mapping(volume, "projected"), "sources"):
        for kind, source in projection.items():
            if isinstance(source, dict):
                _files(found, (*path, "projected", "sources", index, kind), source, None)


def _files(found: Findings, path: JsonPath, source: dict[str, Any], mode_key: str | None) -> None:
    """validateKeyToPath and the defaultMode checks: modes within 0-0777, item paths
    relative and without '..'."""
    if mode_key:
        _mode(found, source, mode_key, path)
    for index, item in found.items(source, "items"):
        where = (*path, "items", index)
        _mode(found, item, "mode", where)
        item_path = found.string(item, "path")
        if item_path and (item_path.startswith("/") or ".." in item_path.split("/")):
            found.add(
                (*where, "path"),
                f"path {item_path!r} must be relative and must not contain '..'",
            )


def _mode(found: Findings, mapping: dict[str, Any], key: str, path: JsonPath) -> None:
    mode = found.integer(mapping, key)
    if mode is None or 0 <= mode <= _MAX_MODE:
        return
    hint = ""
    if set(str(mode)) <= set("01234567") and int(str(mode), 8) <= _MAX_MODE:
        hint = f": YAML reads {mode} as decimal; write 0{mode} for octal {mode}"
    found.add(
        (*path, key),
        f"{key} {mode} must be a file mode between 0 and 0777 (511 in decimal){hint}",
    )
