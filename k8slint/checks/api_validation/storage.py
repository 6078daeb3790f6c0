"""PersistentVolumeClaims, ConfigMaps and Secrets as pkg/apis/core/validation
judges them (ValidatePersistentVolumeClaimSpec, ValidateConfigMap, ValidateSecret)."""

from __future__ import annotations

import binascii
from base64 import b64decode
from typing import Any

from k8slint.checks.api_validation._base import Findings, is_placeholder
from k8slint.kube import names
from k8slint.model import JsonPath

ACCESS_MODES = ("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod")
VOLUME_MODES = ("Block", "Filesystem")  # supportedVolumeModes

_SECRET_KEYS = {
    # ValidateSecret: the keys each well-known type requires.
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
}


def check_claim_spec(found: Findings, spec: dict[str, Any], path: JsonPath) -> None:
    """A claim's or a claim template's spec."""
    modes = spec.get("accessModes")
    if isinstance(modes, list):
        for index, mode in enumerate(modes):
            if isinstance(mode, str) and mode not in ACCESS_MODES:
                found.add(
                    (*path, "accessModes", index),
                    f"access mode {mode!r} is not one of {', '.join(ACCESS_MODES)}",
                )
    found.enum(spec, "volumeMode", path, VOLUME_MODES)
    resources = found.mapping(spec, "resources")
    for part in ("requests", "limits"):
        for name, value in found.mapping(resources, part).items():
            quantity = found.quantity(value, (*path, "resources", part, name), f"{part}.{name}")
            if quantity is not None and name == "storage" and part == "requests" and quantity <= 0:
                found.add(
                    (*path, "resources", part, name),
                    f"requests.storage {value} must be greater than zero",
                )


def check_config_map(found: Findings, data: dict[str, Any]) -> None:
    """ValidateConfigMap: keys are config-map keys, and none in both data and binaryData."""
    seen = _keys(found, data, "data")
    for key in _keys(found, data, "binaryData"):
        if key in seen:
            found.add(("binaryData", key), f"key {key!r} is in both data and binaryData")


def check_secret(found: Findings, data: dict[str, Any]) -> None:
    keys = _keys(found, data, "data") | _keys(found, data, "stringData")
    for key, value in found.mapping(data, "data").items():
        if isinstance(value, str) and not is_placeholder(value) and not _is_base64(value):
            found.add(
                ("data", key),
                f"the value of {key!r} is not base64 (use stringData for plain text)",
            )
    kind = found.string(data, "type")
    required = _SECRET_KEYS.get(kind or "", ())
    missing = [key for key in required if key not in keys]
    if missing and not found.kustomize_input:
        found.add(("type",), f"a Secret of type {kind} requires the keys {', '.join(missing)}")


def _keys(found: Findings, data: dict[str, Any], field: str) -> set[str]:
    keys = set()
    for key in found.mapping(data, field):
        if isinstance(key, str):
            found.syntax(key, (field, key), "key", names.config_map_key)
            keys.add(key)
    return keys


def _is_base64(value: str) -> bool:
    """Go's base64.StdEncoding, as JSON decoding of []byte uses it (line breaks ignored)."""
    text = value.replace("\n", "").replace("\r", "")
    try:
        b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True
