"""Schema validation with cached validators, and schema errors people can act on.

kubernetes-validate's own `validate()` reads the schema files and builds a
validator on every call (about 20 ms an object) and stops at the first error.
Here a validator is built once per (version, strictness, apiVersion, kind) and
`iter_errors` yields every error, each turned into a Problem at its own path
with a message in Kubernetes terms (`expected integer, got string "3"`) rather
than jsonschema's.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from k8slint.kube.openapi import Version, definitions, format_version, kind_schema
from k8slint.kube.served_apis import field_introduced_in
from k8slint.model import Edit, Fix, JsonPath, Problem, format_path

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.validators import Draft202012Validator as Validator


def new_validator(schema: Any) -> Validator:
    """A jsonschema validator for `schema`.

    jsonschema (with attrs and referencing) costs about as much to import as a
    one-file lint costs otherwise, and most runs never need it: valid objects are
    decided by `fastcheck`. So it is imported here, the first time an object
    fails that check (or a CRD's objects are validated).
    """
    from jsonschema.validators import Draft202012Validator

    return Draft202012Validator(schema)


_KEPT = frozenset(
    {"type", "required", "enum", "properties", "patternProperties"}
    | {"additionalProperties", "items", "not", "oneOf", "anyOf", "allOf"}
)
"""The keywords the Kubernetes schemas validate with; descriptions and
`x-kubernetes-*` annotations would only be walked past on every object."""


class _Definitions:
    """A version's definitions, each with every `$ref` replaced by the definition
    itself, resolved the first time something reaches it.

    kubernetes-validate registers `_definitions.json` in a `referencing` Registry
    and resolves each `$ref` while validating; measured on ../shared/corpus that
    lookup was a quarter of the validation time, so the references are resolved
    here once per version and strictness instead. Only on first use: a version
    has about 860 definitions and a Deployment reaches a fifth of them, so
    resolving them all was the largest cost of a one-file lint after its imports.
    Recursive types (a CRD's JSONSchemaProps) become cycles of shared dicts,
    which jsonschema descends only as deep as the data goes.
    """

    def __init__(self, source: Mapping[str, dict[str, Any]]) -> None:
        self._source = source
        self._resolved: dict[str, dict[str, Any]] = {}
        self.names: dict[int, str] = {}
        """Resolved definition objects to their names, for messages: an error's
        schema is one of them if it is a definition at all."""

    def resolved(self, name: str) -> dict[str, Any]:
        found = self._resolved.get(name)
        if found is None:
            # Registered before its references resolve: a type that reaches itself
            # gets this same dict, filled in below.
            found = self._resolved[name] = {}
            self.names[id(found)] = name
            found.update(_resolve(self._source[name], self))
        return found


@functools.cache
def _definitions(version: Version, strict: bool) -> _Definitions:
    return _Definitions(definitions(version, strict))


_INTEGER_RANGES = {
    "int32": {"minimum": -(2**31), "maximum": 2**31 - 1},
    "int64": {"minimum": -(2**63), "maximum": 2**63 - 1},
}
"""Kubernetes decodes `format: int32` fields into Go int32 (int64 likewise): a value
out of range fails the whole object (`cannot unmarshal number 1e+74 into ... int32`)."""


def _resolve(node: Any, resolver: _Definitions) -> Any:
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):  # its siblings are descriptions
        return resolver.resolved(ref.rpartition("/")[2])
    out: dict[str, Any] = dict(_INTEGER_RANGES.get(node.get("format"), {}))
    for key, value in node.items():
        if key not in _KEPT:
            continue
        if key in ("properties", "patternProperties") and isinstance(value, dict):
            out[key] = {name: _resolve(sub, resolver) for name, sub in value.items()}
        elif key in ("oneOf", "anyOf", "allOf") and isinstance(value, list):
            out[key] = [_resolve(sub, resolver) for sub in value]
        else:
            out[key] = _resolve(value, resolver)
    return out


def resolved_type(version: Version, strict: bool, name: str) -> dict[str, Any]:
    """One definition, resolved (e.g. ObjectMeta for the metadata of custom resources)."""
    return _definitions(version, strict).resolved(name)


@functools.cache
def builtin_kind_schema(
    version: Version, strict: bool, api_version: str, kind: str
) -> dict[str, Any] | None:
    """The resolved schema of a built-in kind, or None if `version` does not serve it
    (what `fastcheck` compiles: the same object every time, so it compiles once)."""
    schema = kind_schema(version, api_version, kind, strict)
    if schema is None:
        return None
    resolved: dict[str, Any] = _resolve(schema, _definitions(version, strict))
    return resolved


@functools.cache
def builtin_validator(
    version: Version, strict: bool, api_version: str, kind: str
) -> Validator | None:
    """The validator of a built-in kind, or None if `version` does not serve it."""
    schema = builtin_kind_schema(version, strict, api_version, kind)
    return None if schema is None else new_validator(schema)


def builtin_type_names(version: Version, strict: bool) -> dict[int, str]:
    """Definition objects to their names (`io.k8s.api.core.v1.Container`), for messages:
    those resolved so far, which are all that a schema in use can reach."""
    return _definitions(version, strict).names


# --- errors to problems ---------------------------------------------------------

_JSON_TYPES = {
    "object": "a mapping (key: value)",
    "array": "a list (- item)",
    "string": "string",
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
}
_PLACEHOLDER = re.compile(r"\$\{?[A-Za-z_][A-Za-z0-9_]*|\{[A-Z][A-Z0-9_]*\}")
_PLACEHOLDER_HINT = "; an unexpanded placeholder: lint the manifest after substitution"
_QUOTE_BOOL = (
    "YAML 1.1, which Kubernetes reads, takes unquoted yes/no, on/off, true/false, y/n "
    "as booleans: quote the value"
)


def describe(value: Any) -> str:
    """A value as the user wrote it, with its YAML type: `string "3"`, `boolean true`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"boolean {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"integer {value}"
    if isinstance(value, float):
        return f"number {value:g}"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'string "{shown}"'
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def _expected(types: Iterable[str]) -> str:
    names = [_JSON_TYPES.get(name, name) for name in types if name != "null"]
    return " or ".join(names) if names else "null"


def _types_of(schema: Any) -> list[str]:
    declared = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(declared, str):
        return [declared]
    return list(declared) if isinstance(declared, list) else []


_FLOAT64_DIGITS = 309
"""Digits past which a number overflows float64 (about 1.8e308)."""


def _type_hint(expected: list[str], value: Any) -> str:
    """The YAML reason behind a type error, when there is one."""
    if isinstance(value, str) and _PLACEHOLDER.search(value):
        return _PLACEHOLDER_HINT
    if "string" in expected:
        if isinstance(value, bool):
            return f"; {_QUOTE_BOOL}"
        if isinstance(value, int | float):
            return "; an unquoted number is a number in YAML: quote it"
        if value is None:
            return '; an empty value or "~" is null in YAML: quote it ("") or remove the field'
    numeric = "integer" in expected or "number" in expected
    if numeric and isinstance(value, str) and re.fullmatch(r"[-+]?\d+(\.\d+)?", value.strip()):
        if len(value) > _FLOAT64_DIGITS:  # unquoted too: YAML keeps it a string
            return "; a number this long is past float64, so Kubernetes' decoder reads a string"
        return "; remove the quotes"
    if isinstance(value, str) and "boolean" in expected and value.lower() in ("true", "false"):
        return "; remove the quotes"
    return ""


def _where(path: JsonPath) -> str:
    return format_path(path) or "the object"


def _type_problem(path: JsonPath, expected: list[str], value: Any) -> Problem:
    return Problem(
        path,
        f"{_where(path)}: expected {_expected(expected)}, got {describe(value)}"
        f"{_type_hint(expected, value)}",
    )


def nearest_name(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate the user most likely meant: same letters in another case, or close."""
    import difflib  # for a misspelt name only: not imported by every run

    options = list(candidates)
    for option in options:
        if option.lower() == name.lower():
            return option
    close = difflib.get_close_matches(name, options, n=1, cutoff=0.75)
    return close[0] if close else None


def _fits(schema: Any, value: Any) -> bool:
    """Whether `value` has a type the field declares (a rename must not trade an
    unknown field for a type error: `resourceName: x` is not `resourceNames`)."""
    declared = _types_of(schema)
    if not declared:
        return True
    kinds = {
        dict: ["object"],
        list: ["array"],
        str: ["string"],
        bool: ["boolean"],
        int: ["integer", "number"],
        float: ["number"],
    }
    return any(kind in declared for kind in kinds.get(type(value), [])) or value is None


def _allowed_keys(schema: dict[str, Any], key: str) -> bool:
    if key in schema.get("properties", {}):
        return True
    return any(re.search(pattern, key) for pattern in schema.get("patternProperties", {}))


class ErrorTranslator:
    """Turns one object's validation errors into Problems, one per offending node.

    `explain_as` is the `kubectl explain` resource (`deployment`) for the hint on
    unknown fields; `type_names` names built-in types (`Container`) by schema id, and
    `version`, the target, tells a field that only a newer Kubernetes has.
    A `partial` object (a Kustomize patch) may lack required fields and carries
    `$patch`-style directives; its other errors are still errors.
    """

    def __init__(
        self,
        explain_as: str | None,
        type_names: dict[int, str] | None = None,
        partial: bool = False,
        version: Version | None = None,
    ) -> None:
        self.explain_as = explain_as
        self.type_names = {} if type_names is None else type_names
        self.version = version
        self.partial = partial
        self._seen: set[tuple[JsonPath, str]] = set()

    def problems(self, errors: Iterable[ValidationError]) -> Iterator[Problem]:
        for error in errors:
            for problem in self._translate(error):
                key = (problem.path, problem.message)
                if key not in self._seen:
                    self._seen.add(key)
                    yield problem

    def _translate(self, error: ValidationError) -> Iterator[Problem]:
        path: JsonPath = tuple(error.absolute_path)
        value = error.instance
        keyword = error.validator
        if keyword == "additionalProperties" and error.validator_value is False:
            yield from self._unknown_fields(path, error.schema, value)
        elif keyword == "required":
            if self.partial:
                return
            for name in error.validator_value:
                if isinstance(value, dict) and name not in value:
                    yield Problem(
                        (*path, name),
                        f'missing required field "{name}" in {_where(path)}: '
                        "the API rejects the object without it",
                    )
        elif keyword == "type":
            yield _type_problem(path, _types_of(error.schema), value)
        elif keyword == "enum":
            allowed = ", ".join("null" if v is None else str(v) for v in error.validator_value)
            hint = f"; {_QUOTE_BOOL}" if isinstance(value, bool) else ""
            yield Problem(path, f"{_where(path)}: {describe(value)} is not one of: {allowed}{hint}")
        elif keyword in ("oneOf", "anyOf"):
            yield from self._alternatives(path, error)
        else:
            yield Problem(path, f"{_where(path)}: {_plain_message(error)}")

    def _unknown_fields(
        self, path: JsonPath, schema: dict[str, Any], value: Any
    ) -> Iterator[Problem]:
        if not isinstance(value, dict):
            return
        properties = schema.get("properties", {})
        definition = self.type_names.get(id(schema))
        owner = definition.rpartition(".")[2] if definition else None
        article = "an" if owner and owner[0] in "AEIOU" else "a"
        where = f"{article} {owner} ({_where(path)})" if owner else _where(path)
        for key in value:
            if _allowed_keys(schema, key) or (self.partial and key.startswith("$")):
                continue
            near = nearest_name(key, properties)
            newer = (
                field_introduced_in(self.version, definition, key)
                if definition and self.version
                else None
            )
            if newer:
                fix = (
                    f"it exists only from Kubernetes {format_version(newer)} (the target is "
                    f"{format_version(self.version)}): target a newer version or remove it"
                )
            elif near:
                fix = f'did you mean "{near}"?'
            else:
                fix = "remove it, or move it where it belongs"
                if self.explain_as:
                    explain = ".".join(
                        [self.explain_as, *(step for step in path if isinstance(step, str))]
                    )
                    fix += f" (`kubectl explain {explain}` lists the fields)"
            rename = (
                Fix("unsafe", (Edit("rename", (*path, key), new_key=near),))
                if near and not newer and near not in value and _fits(properties[near], value[key])
                else None
            )  # unsafe: the spelling is a guess
            yield Problem(
                (*path, key),
                f'unknown field "{key}" in {where}: the API server rejects unknown fields; {fix}',
                fix=rename,
            )

    def _alternatives(self, path: JsonPath, error: ValidationError) -> Iterator[Problem]:
        if error.instance is None:
            # int-or-string and quantities are `oneOf` two nullable types, so null
            # matches both; Kubernetes reads an explicit null as "not set".
            return
        options = error.validator_value
        if all(isinstance(option, dict) and set(option) <= {"type"} for option in options):
            types = [name for option in options for name in _types_of(option)]
            yield _type_problem(path, list(dict.fromkeys(types)), error.instance)
            return
        from jsonschema.exceptions import best_match  # loaded: it made `error`

        deepest = best_match(error.context) if error.context else None
        if deepest is None:
            yield Problem(
                path, f"{_where(path)}: matches more than one of the forms that exclude each other"
            )
        else:
            yield from self._translate(deepest)


def _plain_message(error: ValidationError) -> str:
    """jsonschema's message for the rarer keywords, with Python reprs made YAML-like."""
    keyword, limit, value = error.validator, error.validator_value, error.instance
    if keyword == "pattern":
        hint = _PLACEHOLDER_HINT if _PLACEHOLDER.search(str(value)) else ""
        return f"{describe(value)} does not match the pattern {limit}{hint}"
    if keyword in ("minimum", "exclusiveMinimum"):
        return f"{value} is below the minimum {limit}"
    if keyword in ("maximum", "exclusiveMaximum"):
        return f"{value} is above the maximum {limit}"
    if keyword == "minLength":
        return f"{describe(value)} is shorter than {limit} characters"
    if keyword == "maxLength":
        return f"{describe(value)} is longer than {limit} characters"
    if keyword == "minItems":
        return f"needs at least {limit} item{'s' if limit != 1 else ''}"
    if keyword == "maxItems":
        return f"allows at most {limit} item{'s' if limit != 1 else ''}"
    if keyword == "uniqueItems":
        return "has duplicate items"
    if keyword == "minProperties":
        return f"needs at least {limit} field{'s' if limit != 1 else ''}"
    if keyword == "maxProperties":
        return f"allows at most {limit} field{'s' if limit != 1 else ''}"
    return error.message
