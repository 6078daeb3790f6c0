"""What the cross-object phase keeps of an object's bulk.

Every object of a run is held at once for the cross-object checks, so what
they never read goes once an object's own checks are done:
- A CRD's OpenAPI schema is most of its size (CRDs were 25 of the 76 MiB the
  corpus kept), and a schema is needed only where the run holds an object of
  its kind: it is packed in place (one copy per distinct schema), and
  `crd_validators` unpacks the few that a custom resource needs.
- A ConfigMap's or Secret's values: cross-object checks find them by name and
  never read what they hold; the keys stay (a check of `configMapKeyRef.key`
  would need them), the values are emptied.
"""

from __future__ import annotations

import pickle
import weakref
import zlib
from typing import Any

from k8slint.model import Resource


class PackedSchema:
    """An OpenAPI schema (plain data) as compressed bytes, immutable: a copy, deep
    copy or pickle of the object carries it as it is.

    One object per distinct schema in the process (`_shared`, also when a
    worker's or the cache's pickle is loaded): a CRD vendored into several
    applications, or a monorepo's copies of one tree, keeps its schema once.
    """

    __slots__ = ("__weakref__", "packed")

    def __init__(self, packed: bytes) -> None:
        self.packed = packed

    def unpack(self) -> Any:
        return pickle.loads(zlib.decompress(self.packed))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PackedSchema) and other.packed == self.packed

    def __hash__(self) -> int:
        return hash(self.packed)

    def __reduce__(self) -> tuple[Any, tuple[bytes]]:
        return _shared, (self.packed,)

    def __copy__(self) -> PackedSchema:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> PackedSchema:
        return self


_SHARED: weakref.WeakValueDictionary[bytes, PackedSchema] = weakref.WeakValueDictionary()
"""Every packed schema alive, by its bytes; an entry goes with its last user."""


def _shared(packed: bytes) -> PackedSchema:
    found = _SHARED.get(packed)
    if found is None:
        found = _SHARED[packed] = PackedSchema(packed)
    return found


def _pack(value: Any) -> PackedSchema:
    return _shared(zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1))


def _pack_crd_schemas(crd: Resource) -> None:
    """Replace the `openAPIV3Schema` of every version (and of v1beta1's
    `spec.validation`) by its packed form."""
    spec = crd.data.get("spec")
    if not isinstance(spec, dict):
        return
    holders = [spec.get("validation")]
    versions = spec.get("versions")
    if isinstance(versions, list):
        holders += [entry.get("schema") for entry in versions if isinstance(entry, dict)]
    for holder in holders:
        if isinstance(holder, dict) and isinstance(holder.get("openAPIV3Schema"), dict):
            holder["openAPIV3Schema"] = _pack(holder["openAPIV3Schema"])


CONFIG_KINDS = frozenset({"ConfigMap", "Secret"})
_VALUE_FIELDS = ("data", "binaryData", "stringData")


def shed_bulk(resource: Resource) -> None:
    """Shed what no cross-object check reads (see the module docstring)."""
    if resource.kind == "CustomResourceDefinition":
        _pack_crd_schemas(resource)
    elif resource.kind in CONFIG_KINDS and resource.api_version == "v1":
        for name in _VALUE_FIELDS:
            values = resource.data.get(name)
            if isinstance(values, dict):
                resource.data[name] = dict.fromkeys(values, "")


def unpacked(value: Any) -> Any:
    """A schema as plain data, whether it was packed or not."""
    return value.unpack() if isinstance(value, PackedSchema) else value
