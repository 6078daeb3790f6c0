"""CRD schemas kept compressed through the cross-object phase.

A CRD's OpenAPI schema is most of its size (CRDs were 25 of the 76 MiB the
corpus kept for the cross-object phase), and that phase needs a schema only
where the run holds an object of its kind. So once a CRD's own checks are
done its schemas are packed in place, and `crd_validators` unpacks the few
that a custom resource needs.
"""

from __future__ import annotations

import pickle
import zlib
from typing import Any

from k8slint.model import Resource


class PackedSchema(bytes):
    """An OpenAPI schema (plain data) as compressed bytes: any deep copy or
    pickle of the object carries it as it is."""

    def unpack(self) -> Any:
        return pickle.loads(zlib.decompress(self))


def _pack(value: Any) -> PackedSchema:
    return PackedSchema(zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1))


def pack_crd_schemas(crd: Resource) -> None:
    """Replace the `openAPIV3Schema` of every version (and of v1beta1's
    `spec.validation`) by its packed form."""
    spec = crd.data.get("spec")
    if crd.kind != "CustomResourceDefinition" or not isinstance(spec, dict):
        return
    holders = [spec.get("validation")]
    versions = spec.get("versions")
    if isinstance(versions, list):
        holders += [entry.get("schema") for entry in versions if isinstance(entry, dict)]
    for holder in holders:
        if isinstance(holder, dict) and isinstance(holder.get("openAPIV3Schema"), dict):
            holder["openAPIV3Schema"] = _pack(holder["openAPIV3Schema"])


def unpacked(value: Any) -> Any:
    """A schema as plain data, whether it was packed or not."""
    return value.unpack() if isinstance(value, PackedSchema) else value
