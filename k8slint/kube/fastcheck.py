"""A compiled "is this valid?" for the schema keywords Kubernetes uses.

jsonschema walks every node of every object through generic machinery: on the
corpus that was 0.35 ms per object, the largest single cost of a lint. Most
objects are valid, and for them the only question is "valid?". This module
compiles a schema into nested closures that answer it. Only `True` is
trusted: an object it does not pass (or a schema keyword it does not know) is
validated again by jsonschema, which finds and explains every error, so a gap
here costs time, never a wrong finding or a missed one.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

Check = Callable[[Any], bool]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_PYTHON_TYPES = {"string": str, "object": dict, "array": list, "null": type(None), "boolean": bool}
"""The JSON types that are exactly one Python type each (`isinstance` decides)."""
JSON_TYPES = frozenset(_PYTHON_TYPES) | {"integer", "number"}

BOUNDS: dict[str, Callable[[Any], Check]] = {
    # keyword: the test for its limit; each says nothing about values of other types
    # (also what `schema_errors` tests)
    "minLength": lambda n: lambda v: not isinstance(v, str) or len(v) >= n,
    "maxLength": lambda n: lambda v: not isinstance(v, str) or len(v) <= n,
    "minItems": lambda n: lambda v: not isinstance(v, list) or len(v) >= n,
    "maxItems": lambda n: lambda v: not isinstance(v, list) or len(v) <= n,
    "minProperties": lambda n: lambda v: not isinstance(v, dict) or len(v) >= n,
    "maxProperties": lambda n: lambda v: not isinstance(v, dict) or len(v) <= n,
    "minimum": lambda n: lambda v: not _is_number(v) or v >= n,
    "maximum": lambda n: lambda v: not _is_number(v) or v <= n,
    "exclusiveMinimum": lambda n: lambda v: not _is_number(v) or v > n,
    "exclusiveMaximum": lambda n: lambda v: not _is_number(v) or v < n,
}
_HANDLED = frozenset(
    {"type", "properties", "additionalProperties", "items", "required", "enum", "pattern"}
    | {"anyOf", "allOf", "oneOf", "not", "propertyNames"}
    | set(BOUNDS)
)
_OBJECT_KEYWORDS = ("properties", "additionalProperties", "required", "propertyNames")
"""Keywords that say something about objects only (checked together, in one pass)."""
ANNOTATIONS = frozenset(
    {"description", "title", "default", "example", "examples", "format", "deprecated"}
    | {"$schema", "$id", "$comment", "readOnly", "writeOnly", "nullable"}
    | {"definitions", "$defs"}  # where `$ref`s point: no test of the value here
)
"""Keywords that judge no value (jsonschema checks no `format` by default); also
what `schema_errors` walks past."""


def json_equal(one: Any, two: Any) -> bool:
    """JSON equality as jsonschema's `enum` tests it: `True` is not 1, and lists and
    mappings compare item by item that way (its own helper would import jsonschema,
    which this module exists to leave unimported)."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list | tuple) and isinstance(two, list | tuple):
        return len(one) == len(two) and all(json_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return len(one) == len(two) and all(
            key in two and json_equal(value, two[key]) for key, value in one.items()
        )
    if isinstance(one, bool) or isinstance(two, bool):
        return False  # two booleans that are not the same one, or a boolean and a number
    return bool(one == two)


def _never(value: Any) -> bool:
    return False


def _always(value: Any) -> bool:
    return True


class _Compiled:
    """A node's check, compiled the first time it is called.

    A CRD's schema has hundreds of fields and an object uses a few of them, so
    compiling a subschema only when a value reaches it saves most of the work
    (the compile cost more than the checks on the corpus's CRDs). `exact`, asked
    only by `oneOf` and `not`, compiles the subtree below to answer.
    """

    __slots__ = ("_exact", "_local", "_memo", "_node", "_parts", "check")

    def __init__(self, node: Any, memo: _Memo) -> None:
        self._node = node
        self._memo = memo
        self._local = False
        self._parts: list[_Compiled] | None = None
        self._exact: bool | None = None
        self.check: Check = self._compile_then_check

    def _compile_then_check(self, value: Any) -> bool:
        return self.compiled()(value)

    def compiled(self) -> Check:
        """The node's own check (its children compile when a value reaches them)."""
        if self._parts is None:
            self._parts = []  # while compiling: a recursive type that meets itself is unsure
            schema = self._memo.prepare(self._node)
            self.check, self._local, self._parts = _node_check(schema, self._memo)
        return self.check

    @property
    def exact(self) -> bool:
        """Does `False` also mean "invalid" (no keyword unknown here or below)?"""
        if self._exact is None:
            self._exact = False  # a recursive type met again while deciding: unsure
            self.compiled()
            assert self._parts is not None
            self._exact = self._local and all(part.exact for part in self._parts)
        return self._exact


class _Memo(dict[int, _Compiled]):
    """The nodes of one schema compiled so far, by id, and the schema's `prepare`."""

    __slots__ = ("prepare",)

    def __init__(self, prepare: Callable[[Any], Any]) -> None:
        super().__init__()
        self.prepare = prepare


_CACHE: dict[int, tuple[Any, Check]] = {}
"""By schema object (kept alive here, so its id is not reused): once per kind."""


def _as_is(node: Any) -> Any:
    return node


def compile_schema(schema: Any, prepare: Callable[[Any], Any] = _as_is) -> Check:
    """A check for `schema`: True only for a value jsonschema would find valid.

    `prepare` gives the JSON Schema a node stands for, asked when a value first
    reaches the node (and given the subschemas it holds, in their turn): a
    CRD's OpenAPI schema is converted only where its objects go
    (`crd_validators.custom_resource_check`). A schema object is compiled once,
    with the `prepare` of its first call."""
    cached = _CACHE.get(id(schema))
    if cached is None:
        cached = _CACHE[id(schema)] = (schema, _compile(schema, _Memo(prepare)).compiled())
    return cached[1]


def _compile(node: Any, memo: _Memo) -> _Compiled:
    known = memo.get(id(node))
    if known is None:
        known = memo[id(node)] = _Compiled(node, memo)
    return known


_Parts = list[_Compiled]


def _node_check(node: Any, memo: _Memo) -> tuple[Check, bool, _Parts]:
    """A node's check, whether it is exact by itself, and the children it uses."""
    if node is True or node == {}:
        return _always, True, []
    if not isinstance(node, dict) or any(
        key not in _HANDLED and key not in ANNOTATIONS and not key.startswith("x-kubernetes-")
        for key in node
    ):
        return _never, False, []  # unknown keyword: leave it to jsonschema
    parts: _Parts = []
    tests: list[Check] = []

    declared = node.get("type")
    names: list[Any] = []
    if declared is not None:
        names = declared if isinstance(declared, list) else [declared]
        if not all(isinstance(name, str) and name in JSON_TYPES for name in names):
            return _never, False, []
    # The object and array keywords test the type themselves when it allows
    # their type: a value of another type is judged by the type's other names
    # (`null`, mostly), one call per value instead of two.
    types = type_check(tuple(names)) if names else None  # None: any type, or tested already

    if any(key in node for key in _OBJECT_KEYWORDS):
        non_object, types = _absorb("object", names, types)
        object_check = _object_check(node, memo, non_object, parts)
        if object_check is None:
            return _never, False, []
        tests.append(object_check)

    if "items" in node:
        non_array, types = _absorb("array", names, types)
        items = _compile(node["items"], memo)
        parts.append(items)
        tests.append(_items_check(items, non_array))

    if types is not None:
        tests.insert(0, types)

    for keyword, bound in BOUNDS.items():
        if keyword in node:
            limit = node[keyword]
            if not _is_number(limit):
                return _never, False, []
            tests.append(bound(limit))

    if "pattern" in node:
        try:
            pattern = re.compile(node["pattern"])
        except (re.error, TypeError):
            return _never, False, []
        tests.append(lambda v: not isinstance(v, str) or pattern.search(v) is not None)

    if "enum" in node:
        allowed = node["enum"]
        if not isinstance(allowed, list):
            return _never, False, []
        tests.append(_enum_check(allowed))

    for keyword in ("anyOf", "allOf", "oneOf"):
        if keyword in node:
            combined = _combination(keyword, node[keyword], memo, parts)
            if combined is None:
                return _never, False, []
            tests.append(combined)

    if "not" in node:
        negated = _compile(node["not"], memo)
        if not negated.exact:
            return _never, False, []
        tests.append(lambda v: not negated.check(v))

    return _all_of(tests), True, parts


@functools.cache
def type_check(names: tuple[str, ...]) -> Check:
    """Is the value of one of the JSON types `names`? One call per value: this
    runs for nearly every value of every object. (One function per list of
    names, shared by the thousands of nodes that declare it.)"""
    plain = tuple(_PYTHON_TYPES[name] for name in names if name in _PYTHON_TYPES)
    if "number" in names:  # integers included
        return lambda v: isinstance(v, plain) or _is_number(v)
    if "integer" in names:  # as jsonschema: 3.0 is an integer, True is not
        return lambda v: (
            isinstance(v, plain)
            or (isinstance(v, int) and not isinstance(v, bool))
            or (isinstance(v, float) and v.is_integer())
        )
    return lambda v: isinstance(v, plain)


def _absorb(kind: str, names: list[str], types: Check | None) -> tuple[Check, Check | None]:
    """For the keywords of `kind` (object, array), which test that type themselves:
    the check of a value of another type, and the type test still to make."""
    if types is None or kind not in names:
        return _always, types  # the keywords say nothing about other types
    return type_check(tuple(name for name in names if name != kind)), None


def _all_of(tests: list[Check]) -> Check:
    """All of `tests`, joined without a generator (the hot path: a generator per
    value cost more than the tests)."""
    if not tests:
        return _always
    if len(tests) == 1:
        return tests[0]
    first, rest = tests[0], _all_of(tests[1:])
    return lambda v: first(v) and rest(v)


def _enum_check(allowed: list[Any]) -> Check:
    if all(isinstance(option, str) for option in allowed):
        # A string option equals only that string (the usual enum: a set lookup).
        strings = frozenset(allowed)
        return lambda v: isinstance(v, str) and v in strings
    return lambda v: any(json_equal(v, option) for option in allowed)


def _items_check(items: _Compiled, non_array: Check) -> Check:
    def check(value: Any) -> bool:
        if not isinstance(value, list):
            return non_array(value)
        return all(map(items.check, value))

    return check


def _object_check(
    node: dict[str, Any], memo: _Memo, non_object: Check, parts: _Parts
) -> Check | None:
    """The object keywords' check (None: a keyword jsonschema must judge), with
    `non_object` judging values that are not objects; the subschemas it uses go
    to `parts`."""
    properties = node.get("properties") or {}
    if not isinstance(properties, dict):
        return None
    fields = {name: _compile(sub, memo) for name, sub in properties.items()}
    required = node.get("required") or []
    extra_schema = node.get("additionalProperties", True)
    closed = extra_schema is False
    extra = None if extra_schema is True or closed else _compile(extra_schema, memo)
    names = _compile(node["propertyNames"], memo) if "propertyNames" in node else None
    parts.extend(fields.values())
    parts.extend(part for part in (extra, names) if part is not None)

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return non_object(value)
        for name in required:
            if name not in value:
                return False
        if names is not None and not all(map(names.check, value)):
            return False
        for key, item in value.items():
            field = fields.get(key)
            if field is not None:
                if not field.check(item):
                    return False
            elif closed or (extra is not None and not extra.check(item)):
                return False
        return True

    return check


def _combination(keyword: str, subschemas: Any, memo: _Memo, used: _Parts) -> Check | None:
    if not isinstance(subschemas, list) or not subschemas:
        return None
    parts = [_compile(sub, memo) for sub in subschemas]
    used.extend(parts)
    if keyword == "anyOf":
        return lambda v: any(part.check(v) for part in parts)
    if keyword == "allOf":
        return lambda v: all(part.check(v) for part in parts)
    if not all(part.exact for part in parts):
        return None  # oneOf must know that the others fail, not only that they may
    return lambda v: sum(1 for part in parts if part.check(v)) == 1
