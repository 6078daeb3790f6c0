"""The errors jsonschema would report for a value, found without jsonschema.

`fastcheck` answers "valid?"; an object it does not pass needs every error
worded (`validators.ErrorTranslator`). jsonschema costs more to import (with
attrs and referencing) than a tenth of a whole lint of ../shared/corpus, for
the few dozen objects there that have a schema error, whose errors are of the
plain keywords: a type, a required field, an unknown field. So this walks the
schema as jsonschema's Draft 2020-12 does, for the keywords `fastcheck` knows,
and gives up (None) where a value meets anything else (`not`, `oneOf`/`anyOf`
between structures, for which jsonschema's `best_match` picks the error to
show, a keyword it does not know, a malformed keyword value): the caller asks
jsonschema then, so a gap here costs time, never a different finding.
tests/test_schema_errors.py compares the two on the corpus and on tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from k8slint.kube.fastcheck import ANNOTATIONS, BOUNDS, JSON_TYPES, json_equal, type_check

_WALKED = frozenset(
    {"type", "required", "enum", "pattern", "properties", "patternProperties"}
    | {"additionalProperties", "items", "allOf", "anyOf", "oneOf"}
    | set(BOUNDS)
)


class Violation(NamedTuple):
    """One error, with the attributes of jsonschema's `ValidationError` that
    `ErrorTranslator` reads (`validator` is the keyword, as jsonschema names it)."""

    absolute_path: tuple[str | int, ...]
    instance: Any
    validator: str
    validator_value: Any
    schema: Any
    context: tuple[()] = ()


class _Unsure(Exception):
    """Met something only jsonschema can word."""


def violations(schema: Any, value: Any) -> list[Violation] | None:
    """Every error jsonschema's `iter_errors` yields for `value` (in some order),
    or None where it must be asked (see the module docstring)."""
    try:
        return list(_errors(schema, value, ()))
    except _Unsure:
        return None


def _errors(schema: Any, value: Any, path: tuple[str | int, ...]) -> Iterator[Violation]:
    if schema is True:
        return
    if not isinstance(schema, dict):
        raise _Unsure
    for keyword, limit in schema.items():
        if keyword in _WALKED:
            yield from _KEYWORDS[keyword](schema, limit, value, path)
        elif keyword not in ANNOTATIONS and not keyword.startswith("x-kubernetes-"):
            raise _Unsure


def _type(schema: Any, names: Any, value: Any, path: tuple[str | int, ...]) -> Iterator[Violation]:
    listed = names if isinstance(names, list) else [names]
    if not all(isinstance(name, str) and name in JSON_TYPES for name in listed):
        raise _Unsure  # jsonschema raises on a type it does not know
    if not type_check(tuple(listed))(value):  # as jsonschema: 3.0 is an integer, True is not
        yield Violation(path, value, "type", names, schema)


def _required(
    schema: Any, names: Any, value: Any, path: tuple[str | int, ...]
) -> Iterator[Violation]:
    if not isinstance(names, list):
        raise _Unsure
    if isinstance(value, dict):
        for name in names:
            if name not in value:
                yield Violation(path, value, "required", names, schema)


def _enum(
    schema: Any, allowed: Any, value: Any, path: tuple[str | int, ...]
) -> Iterator[Violation]:
    if not isinstance(allowed, list):
        raise _Unsure
    if not any(json_equal(option, value) for option in allowed):
        yield Violation(path, value, "enum", allowed, schema)


def _pattern(
    schema: Any, pattern: Any, value: Any, path: tuple[str | int, ...]
) -> Iterator[Violation]:
    if not isinstance(pattern, str):
        raise _Unsure
    if isinstance(value, str) and not _search(pattern, value):
        yield Violation(path, value, "pattern", pattern, schema)


def _search(pattern: str, text: str) -> bool:
    try:
        return re.search(pattern, text) is not None
    except re.error:
        raise _Unsure from None


def _properties(
    schema: Any, properties: Any, value: Any, path: tuple[str | int, ...]
) -> Iterator[Violation]:
    if not isinstance(properties, dict):
        raise _Unsure
    if isinstance(value, dict):
        for name, subschema in properties.items():
            if name in value:
                yield from _errors(subschema, value[name], (*path, name))


def _pattern_properties(
    schema: Any, patterns: Any, value: Any, path: tuple[str | int, ...]
) -> Iterator[Violation]:
    if not isinstance(patterns, dict):
        raise _Unsure
    if isinstance(value, dict):
        for pattern, subschema in patterns.items():
            for key, item in value.items():
                if _search(pattern, key):
                    yield from _errors(subschema, item, (*path, key))


def _additional_properties(
    schema: Any, extra: Any, value: Any, path: tuple[str | int, ...]
) -> Iterator[Violation]:
    if not isinstance(value, dict) or extra is True:
        return
    if extra is not False and not isinstance(extra, dict):
        raise _Unsure
    properties = schema.get("properties", {})
    patterns = "|".join(schema.get("patternProperties", {}))
    extras = [
        key for key in value if key not in properties and not (patterns and _search(patterns, key))
    ]
    if extra is False:
        if extras:
            yield Violation(path, value, "additionalProperties", False, schema)
        return
    for key in extras:
        yield from _errors(extra, value[key], (*path, key))


def _items(schema: Any, items: Any, value: Any, path: tuple[str | int, ...]) -> Iterator[Violation]:
    if "prefixItems" in schema or items is False:
        raise _Unsure
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _errors(items, item, (*path, index))


def _all_of(
    schema: Any, parts: Any, value: Any, path: tuple[str | int, ...]
) -> Iterator[Violation]:
    if not isinstance(parts, list):
        raise _Unsure
    for part in parts:
        yield from _errors(part, value, path)


def _alternatives(keyword: str) -> Any:
    """`oneOf`/`anyOf` between types only (int-or-string): the translator words
    those from the options alone. Between structures jsonschema's `best_match`
    chooses which error to show: asked of jsonschema."""

    def check(
        schema: Any, options: Any, value: Any, path: tuple[str | int, ...]
    ) -> Iterator[Violation]:
        if not isinstance(options, list) or not all(
            isinstance(option, dict) and set(option) <= {"type"} for option in options
        ):
            raise _Unsure
        valid = sum(1 for option in options if not any(True for _ in _errors(option, value, path)))
        if valid == 0 or (keyword == "oneOf" and valid > 1):
            yield Violation(path, value, keyword, options, schema)

    return check


_KEYWORDS: dict[str, Any] = {
    "type": _type,
    "required": _required,
    "enum": _enum,
    "pattern": _pattern,
    "properties": _properties,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "items": _items,
    "allOf": _all_of,
    "anyOf": _alternatives("anyOf"),
    "oneOf": _alternatives("oneOf"),
}


def _bound(keyword: str) -> Any:
    """fastcheck's test of the limit (which passes values of other types)."""
    within = BOUNDS[keyword]

    def check(
        schema: Any, limit: Any, value: Any, path: tuple[str | int, ...]
    ) -> Iterator[Violation]:
        if not isinstance(limit, int | float) or isinstance(limit, bool):
            raise _Unsure
        if not within(limit)(value):
            yield Violation(path, value, keyword, limit, schema)

    return check


_KEYWORDS.update((keyword, _bound(keyword)) for keyword in BOUNDS)
