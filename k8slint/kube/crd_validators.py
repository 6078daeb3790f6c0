"""CustomResourceDefinitions as JSON Schemas for their custom resources.

A CRD's `openAPIV3Schema` is OpenAPI 3.0 with Kubernetes extensions, not the
JSON Schema jsonschema validates; `to_json_schema` rewrites what differs
(`nullable`, boolean `exclusiveMinimum`, the `x-kubernetes-*` markers) and makes
unknown fields errors where the API server's strict field validation would:
objects that list their properties and do not preserve unknown fields.
The custom resource's `metadata` is an ObjectMeta, as for every API object.
"""

from __future__ import annotations

import copy
import functools
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from k8slint.kube.fastcheck import Check, compile_schema
from k8slint.kube.openapi import Version
from k8slint.kube.packed import PackedSchema, unpacked
from k8slint.kube.validators import new_validator, resolved_type
from k8slint.model import Resource

if TYPE_CHECKING:
    from k8slint.kube.validators import Validator

_OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_DROPPED = frozenset(
    {
        "nullable",
        "format",
        "description",
        "example",
        "externalDocs",
        "default",
        "x-kubernetes-validations",
        "x-kubernetes-int-or-string",
        "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-embedded-resource",
    }
)
"""OpenAPI and Kubernetes keywords with no JSON Schema meaning here (formats are
not checked, as kubernetes-validate does not check them either)."""


@dataclass(slots=True)
class CrdVersion:
    """One version of a custom kind, as one CRD of the run defines it."""

    crd: Resource
    group: str
    kind: str
    version: str
    served: bool
    source: Any = field(repr=False)
    """The schema as the CRD holds it: plain data, or packed (`k8slint.kube.packed`)."""
    _schema: Any = field(default=None, repr=False, compare=False)
    _defaulting: Any = field(default=False, repr=False, compare=False)

    @property
    def schema(self) -> dict[str, Any] | None:
        """Unpacked on first use: only kinds the run has objects of need it."""
        if self._schema is None and self.source is not None:
            self._schema = unpacked(self.source)
        return self._schema

    @property
    def defaulting(self) -> dict[str, Any] | None:
        """What `with_defaults` needs of the schema (`defaulting_part`), found once."""
        if self._defaulting is False:
            self._defaulting = defaulting_part(self.schema)
        return self._defaulting

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}"

    @property
    def crd_name(self) -> str:
        return self.crd.name or f"{self.kind} CRD"


def crd_versions(crd: Resource) -> Iterator[CrdVersion]:
    """Every version a CRD defines (apiextensions.k8s.io v1, and v1beta1's
    spec.version / spec.validation)."""
    spec = crd.data.get("spec")
    if crd.api_group != "apiextensions.k8s.io" or not isinstance(spec, dict):
        return
    names = spec.get("names")
    kind = names.get("kind") if isinstance(names, dict) else None
    group = spec.get("group")
    if not isinstance(kind, str) or not isinstance(group, str):
        return
    shared = _open_api_schema(spec.get("validation"))
    versions = spec.get("versions")
    if not isinstance(versions, list) or not versions:
        versions = [{"name": spec.get("version"), "served": True}]
    for entry in versions:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        schema = _open_api_schema(entry.get("schema")) or shared
        yield CrdVersion(crd, group, kind, entry["name"], entry.get("served") is not False, schema)


def _open_api_schema(holder: Any) -> Any:
    schema = holder.get("openAPIV3Schema") if isinstance(holder, dict) else None
    return schema if isinstance(schema, (dict, PackedSchema)) else None


Convert = Callable[[Any, bool, bool], Any]
"""What becomes of a subschema (schema, strict, structural): `to_json_schema` converts
it at once, `_Pending` when a value reaches it."""


def to_json_schema(schema: Any, strict: bool, structural: bool = True) -> Any:
    """One OpenAPI v3 schema node as JSON Schema 2020-12.

    Inside allOf/anyOf/oneOf/not a node only adds value checks to the
    structural schema (it cannot declare fields), so it never closes an object.
    """
    return _converted(schema, strict, structural, to_json_schema)


def _converted(schema: Any, strict: bool, structural: bool, below: Convert) -> Any:
    """`to_json_schema` of a node, with its subschemas made by `below`."""
    if not isinstance(schema, dict):
        return schema
    out = {
        key: value
        for key, value in schema.items()
        if key not in _DROPPED and _SANE.get(key, _anything)(value)
    }
    if schema.get("x-kubernetes-int-or-string"):
        out.setdefault("type", ["integer", "string"])
    if schema.get("nullable"):
        declared = out.get("type")
        if isinstance(declared, str):
            out["type"] = [declared, "null"]
        elif isinstance(declared, list):
            out["type"] = [*declared, "null"]
        if isinstance(out.get("enum"), list):
            out["enum"] = [*out["enum"], None]
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(out.get(bound), bool):
            flag = out.pop(bound)
            if flag and limit in out:
                out[bound] = out.pop(limit)
    properties = schema.get("properties")
    if isinstance(properties, dict):
        out["properties"] = {
            name: below(sub, strict, structural) for name, sub in properties.items()
        }
    if schema.get("x-kubernetes-embedded-resource"):
        out["properties"] = {
            "apiVersion": {"type": "string"},
            "kind": {"type": "string"},
            "metadata": {"type": "object"},
            **out.get("properties", {}),
        }
    if isinstance(schema.get("items"), dict):
        out["items"] = below(schema["items"], strict, structural)
    if isinstance(schema.get("additionalProperties"), dict):
        extra = schema["additionalProperties"]
        out["additionalProperties"] = below(extra, strict, structural)
    for key in _SUBSCHEMA_LISTS:
        if isinstance(schema.get(key), list):
            out[key] = [below(sub, strict, False) for sub in schema[key]]
    if isinstance(schema.get("not"), dict):
        out["not"] = below(schema["not"], strict, False)
    if strict and structural and _closed(schema):
        out["additionalProperties"] = False
    return out


def _compiles(pattern: Any) -> bool:
    """Whether Python reads the pattern the same on every supported version (3.10
    only warns about a late inline flag such as `^(?i)...`, which 3.11 refuses)."""
    return isinstance(pattern, str) and _compiles_text(pattern)


@functools.cache
def _compiles_text(pattern: str) -> bool:
    """`_compiles` once per pattern: CRDs repeat theirs in every version and channel
    (Gateway API's hostname patterns), and each try sets up a warnings context."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", DeprecationWarning)
            re.compile(pattern)
    except (re.error, TypeError, DeprecationWarning):
        return False
    return True


def _anything(value: Any) -> bool:
    return True


def _is_type(value: Any) -> bool:
    if isinstance(value, str):
        return value in _JSON_TYPES
    names = value if isinstance(value, list) else [value]
    return all(isinstance(name, str) and name in _JSON_TYPES for name in names)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_JSON_TYPES = frozenset({"object", "array", "string", "integer", "number", "boolean", "null"})
_SANE = {
    "type": _is_type,
    "pattern": _compiles,  # RE2 syntax Python cannot read (\p{L}) is not checked
    "required": lambda value: isinstance(value, list),
    "enum": lambda value: isinstance(value, list),
    **dict.fromkeys(("minimum", "maximum", "multipleOf"), _is_number),
    **dict.fromkeys(("minLength", "maxLength", "minItems", "maxItems"), _is_number),
    **dict.fromkeys(("minProperties", "maxProperties"), _is_number),
}
"""What a keyword's value must look like for jsonschema to use it; a CRD that
breaks it (the API server would have refused the CRD: `schema` says so) loses
that one check instead of ending the run's crd-schema checks."""


def defaulting_part(schema: Any) -> dict[str, Any] | None:
    """The part of `schema` that `with_defaults` acts on: the fields with a
    `default` and the way down to them; None if nothing in it has one.

    Most CRDs default a few fields, and filling defaults in copied every
    mapping of every custom resource (a tenth of crd-schema's time on the
    corpus); with this part only the mappings on the way to a default are."""
    if not isinstance(schema, dict):
        return None
    part: dict[str, Any] = {}
    if "default" in schema:
        part["default"] = schema["default"]
    for key in ("items", "additionalProperties"):
        below = defaulting_part(schema.get(key))
        if below is not None:
            part[key] = below
    properties = schema.get("properties")
    if isinstance(properties, dict):
        kept = {name: defaulting_part(sub) for name, sub in properties.items()}
        if "additionalProperties" in part:  # which fields are not extra: all of them
            part["properties"] = {name: sub or {} for name, sub in kept.items()}
        elif any(sub is not None for sub in kept.values()):
            part["properties"] = {name: sub for name, sub in kept.items() if sub is not None}
    return part or None


def with_defaults(schema: Any, value: Any) -> Any:
    """`value` with the schema's defaults filled in, as the API server does before it
    validates (a Gateway address without `type` is validated as an IPAddress).
    Only what changes is copied; paths stay those of the document. `schema` may be
    the whole schema or its `defaulting_part` (the same result, sooner)."""
    if not isinstance(schema, dict):
        return value
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [with_defaults(schema["items"], item) for item in value]
    if not isinstance(value, dict):
        return value
    properties = schema.get("properties")
    properties = properties if isinstance(properties, dict) else {}
    extra = schema.get("additionalProperties")
    out = dict(value)
    for name, sub in properties.items():
        if name in out:
            out[name] = with_defaults(sub, out[name])
        elif isinstance(sub, dict) and "default" in sub:
            out[name] = with_defaults(sub, copy.deepcopy(sub["default"]))
    if isinstance(extra, dict):
        for name in out.keys() - properties.keys():
            out[name] = with_defaults(extra, out[name])
    return out


def _closed(schema: dict[str, Any]) -> bool:
    """Would the API server call a field not listed here unknown?"""
    if schema.get("x-kubernetes-preserve-unknown-fields") or "additionalProperties" in schema:
        return False
    return "properties" in schema or schema.get("x-kubernetes-embedded-resource") is True


def custom_resource_schema(version: CrdVersion, kubernetes_version: Version, strict: bool) -> Any:
    """The JSON Schema of the custom resources of one CRD version, converted
    whole; metadata is an ObjectMeta of the target Kubernetes version, as the
    API server checks it."""
    return _resource_schema(version, kubernetes_version, strict)


def custom_resource_validator(
    version: CrdVersion, kubernetes_version: Version, strict: bool
) -> Validator | None:
    """A validator for `custom_resource_schema`, for errors that
    `schema_errors.violations` leaves to jsonschema.

    None for a CRD whose schema is not a schema at all (the API server refuses
    such a CRD and `schema` reports it there): its objects are not validated.
    Checking the schema against the metaschema up front cost 15 times the
    validation itself on the corpus, so a broken keyword is also caught where
    validation trips on it (`broken_schema`).
    """
    try:
        return new_validator(_resource_schema(version, kubernetes_version, strict))
    except broken_schema():
        return None


def broken_schema() -> tuple[type[Exception], ...]:
    """What jsonschema raises on a keyword whose value a broken CRD got wrong (a
    function: `except` evaluates it only once something was raised, so jsonschema
    is imported only where it is used)."""
    from jsonschema.exceptions import SchemaError

    return (SchemaError, TypeError, ValueError, AttributeError, KeyError, re.error)


class _Pending:
    """A subschema of a CRD, converted when a value first reaches it (`_prepare`)."""

    __slots__ = ("schema", "strict", "structural")

    def __init__(self, schema: Any, strict: bool, structural: bool) -> None:
        self.schema, self.strict, self.structural = schema, strict, structural


def _prepare(node: Any) -> Any:
    """fastcheck's `prepare` for a custom resource's schema: a pending subschema
    converted (its own subschemas pending in turn); anything else is JSON Schema
    already (the fields `_resource_schema` adds, the metadata's ObjectMeta)."""
    if isinstance(node, _Pending):
        return _converted(node.schema, node.strict, node.structural, _Pending)
    return node


def custom_resource_check(version: CrdVersion, kubernetes_version: Version, strict: bool) -> Check:
    """fastcheck's "valid?" for the custom resources of one CRD version: the schema
    of `custom_resource_validator`, converted from OpenAPI only where the objects go.
    A CRD's schema has hundreds of fields and an object uses a few; converting all
    of them up front was half of crd-schema's time on the corpus, and the validator
    (which needs all) is built only for an object this check does not pass."""
    return compile_schema(_resource_schema(version, kubernetes_version, strict, _Pending), _prepare)


def _resource_schema(
    version: CrdVersion, kubernetes_version: Version, strict: bool, below: Convert = to_json_schema
) -> Any:
    root = _converted(version.schema or {"type": "object"}, strict, True, below)
    root["properties"] = {
        **root.get("properties", {}),
        "apiVersion": {"type": "string"},
        "kind": {"type": "string"},
        "metadata": resolved_type(kubernetes_version, strict, _OBJECT_META),
    }
    if version.schema is None:
        root.pop("additionalProperties", None)
    return root
