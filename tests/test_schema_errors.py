"""`schema_errors.violations` finds the errors jsonschema finds, or says it cannot.

The schema check words an invalid object's errors from `violations` and asks
jsonschema only where it returns None; so wherever it answers, its errors must
be jsonschema's (same places, keywords and values), and it must answer for the
common errors (or jsonschema is imported after all). Checked on the fixtures'
objects mutated to hold values of the wrong type, on the corpus's custom
resources mutated likewise, and on a table of keywords.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from test_fastcheck import _custom_resources_and_versions, _typed
from test_robustness import OBJECTS, _mutated

from k8slint.kube.crd_validators import custom_resource_schema
from k8slint.kube.openapi import newest_version
from k8slint.kube.schema_errors import violations
from k8slint.kube.validators import builtin_kind_schema, builtin_validator, new_validator


def _shape(errors) -> Counter:
    """What the translator reads of each error (the schema by identity: it names types)."""
    return Counter(
        (
            tuple(error.absolute_path),
            error.validator,
            repr(error.instance),
            repr(error.validator_value),
            id(error.schema),
        )
        for error in errors
    )


def _agree(schema, validator, data) -> bool:
    """Whether `violations` answered; asserts that its answer is jsonschema's."""
    found = violations(schema, data)
    if found is None:
        return False
    assert _shape(found) == _shape(validator.iter_errors(data)), data
    return True


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("seed", range(3))
def test_built_in_kinds_errors_are_jsonschemas(seed, strict):
    chance = random.Random(seed)
    documents = [_mutated(chance.choice(OBJECTS), chance) for _ in range(300)]
    version = newest_version()
    judged = answered = 0
    for resource in _typed(documents):
        if not isinstance(resource.api_version, str) or not isinstance(resource.kind, str):
            continue
        schema = builtin_kind_schema(version, strict, resource.api_version, resource.kind)
        if schema is None:
            continue
        validator = builtin_validator(version, strict, resource.api_version, resource.kind)
        judged += 1
        answered += _agree(schema, validator, resource.data)
    assert judged > 150
    assert answered / judged > 0.95  # jsonschema is rarely needed


@pytest.mark.parametrize("seed", range(2))
def test_custom_resources_errors_are_jsonschemas(seed):
    chance = random.Random(seed)
    version = newest_version()
    judged = answered = 0
    for resource, crd in _custom_resources_and_versions():
        schema = custom_resource_schema(crd, version, True)
        validator = new_validator(schema)  # as custom_resource_validator makes it
        for data in (resource.data, *(_mutated(resource.data, chance) for _ in range(3))):
            judged += 1
            answered += _agree(schema, validator, data)
    assert answered / judged > 0.9


@pytest.mark.parametrize(
    ("schema", "values"),
    [
        ({"type": "string", "pattern": "^a"}, ["abc", "xa", 3]),
        ({"minLength": 2, "maxLength": 3}, ["a", "ab", "abcd", 5]),
        ({"minimum": 1, "exclusiveMaximum": 3}, [0, 1, 2.5, 3, True, "2"]),
        ({"maximum": 2, "exclusiveMinimum": 0}, [0, 2, 3.5, False]),
        ({"minItems": 1, "maxItems": 2}, [[], [1], [1, 2, 3], "ab"]),
        ({"minProperties": 1, "maxProperties": 1}, [{}, {"a": 1}, {"a": 1, "b": 2}, []]),
        ({"enum": [1, "a", None]}, [1, True, 1.0, "a", "b", None, [1]]),
        ({"enum": [[1], {"a": True}]}, [[1], [True], {"a": True}, {"a": 1}]),
        ({"type": "integer"}, [1, 1.0, 1.5, True, "1", None]),
        ({"type": ["number", "null"]}, [1, 2.5, None, False, "x"]),
        ({"type": "object", "required": ["a", "b"]}, [{"a": 1}, {}, None, []]),
        (
            {"properties": {"a": {"type": "string"}}, "additionalProperties": False},
            [{}, {"a": 1}, {"a": "x", "b": 1, "c": 2}, "x"],
        ),
        (
            {
                "properties": {"a": {"type": "string"}},
                "patternProperties": {"^x-": {"type": "integer"}},
                "additionalProperties": {"type": "boolean"},
            },
            [{"a": "s", "x-1": 1, "b": True}, {"x-1": "s", "b": 1, "a": 2}, {"y": None}],
        ),
        ({"items": {"type": "string"}}, [["a"], [1, "b", 2], "ab"]),
        ({"items": True}, [[1, "a"]]),
        ({"allOf": [{"type": "string"}, {"minLength": 3}]}, ["abc", "a", 1]),
        ({"anyOf": [{"type": "integer"}, {"type": "string"}]}, [1, "a", 2.5, None]),
        ({"oneOf": [{"type": "integer"}, {"type": "number"}]}, [1, 2.5, "a"]),
        (True, [1, None]),
        ({"description": "d", "x-kubernetes-list-type": "map", "format": "email"}, ["x", 1]),
    ],
)
def test_each_keyword_agrees_with_jsonschema(schema, values):
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    for value in values:
        assert _agree(schema, validator, value), (schema, value)


@pytest.mark.parametrize(
    ("schema", "value"),
    [
        ({"not": {"type": "string"}}, "a"),
        ({"oneOf": [{"type": "object", "required": ["a"]}, {"type": "string"}]}, 1),
        ({"uniqueItems": True}, [1, 1]),
        ({"type": "string", "multipleOf": 2}, "a"),
        ({"type": "strnig"}, "a"),
        ({"required": "a"}, {}),
        ({"pattern": 3}, "a"),
        ({"properties": {"a": {"$ref": "#/$defs/x"}}}, {"a": 1}),
        ({"prefixItems": [{"type": "string"}], "items": {"type": "integer"}}, ["a", 1]),
    ],
)
def test_what_only_jsonschema_can_word_is_left_to_it(schema, value):
    assert violations(schema, value) is None
