"""The compiled validity check may only say "valid" where jsonschema agrees.

It decides the common case (a valid object) without jsonschema; anything it
does not pass goes to jsonschema. So the property that matters: never valid
where jsonschema finds an error, checked on every fixture object, mutated to
hold values of the wrong type, for both strictness settings; and it should
pass the valid ones (or it saves nothing).
"""

from __future__ import annotations

import functools
import random

import pytest
from support import dump_all, shared
from test_robustness import OBJECTS, _mutated

from k8slint.kube.crd_validators import (
    crd_versions,
    custom_resource_check,
    custom_resource_validator,
)
from k8slint.kube.fastcheck import compile_schema
from k8slint.kube.openapi import newest_version
from k8slint.kube.validators import builtin_validator
from k8slint.load.loader import load_file, load_text


def _typed(documents):
    """Through our loader, so values are typed as in a real run."""
    return [r for r in load_text(dump_all(documents), "m.yaml").resources]


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("seed", range(4))
def test_never_valid_where_jsonschema_finds_an_error(seed, strict):
    chance = random.Random(seed)
    documents = [chance.choice(OBJECTS) for _ in range(100)]
    documents += [_mutated(chance.choice(OBJECTS), chance) for _ in range(300)]
    judged = passed = 0
    for resource in _typed(documents):
        if not isinstance(resource.api_version, str) or not isinstance(resource.kind, str):
            continue
        validator = builtin_validator(newest_version(), strict, resource.api_version, resource.kind)
        if validator is None:
            continue
        fast = compile_schema(validator.schema)(resource.data)
        valid = validator.is_valid(resource.data)
        assert not (fast and not valid), (resource.kind, resource.data)
        judged += 1
        passed += fast == valid
    assert judged > 200
    assert passed / judged > 0.99  # it decides (nearly) every object itself


def test_keywords_it_does_not_know_leave_the_decision_to_jsonschema():
    schema = {"type": "string", "format": "email", "uniqueItems": True}
    assert compile_schema(schema)("abc") is False  # not "invalid": "ask jsonschema"
    unsure = {"oneOf": [{"type": "string", "multipleOf": 2}, {}]}
    assert compile_schema(unsure)("x") is False


@pytest.mark.parametrize(
    ("schema", "values"),
    [
        ({"type": "string", "pattern": "^a"}, ["abc", "xa", 3]),
        ({"minLength": 2, "maxLength": 3}, ["a", "ab", "abcd", 5]),
        ({"minimum": 1, "exclusiveMaximum": 3}, [0, 1, 2.5, 3, True, "2"]),
        ({"minItems": 1, "maxItems": 2}, [[], [1], [1, 2, 3], "ab"]),
        ({"minProperties": 1}, [{}, {"a": 1}, []]),
        (
            {"oneOf": [{"type": "integer"}, {"type": "string", "pattern": "%$"}]},
            [3, "5%", "x", 2.0],
        ),
        ({"enum": [1, "a"]}, [1, True, 1.0, "a", "b"]),
        ({"enum": ["a", "b"]}, ["a", "c", 1, True, None, ["a"], {"a": 1}]),
        ({"type": "object", "properties": {"a": {"type": "string"}}}, [{}, {"a": 1}, [], "x"]),
        ({"type": "object", "required": ["a"]}, [{"a": 1}, {}, None]),
        ({"type": "object"}, [{}, [], None]),
        ({"type": "array", "items": {"type": "string"}}, [[], ["a"], [1], "ab", {}]),
        ({"type": "array"}, [[], "ab"]),
        ({"items": {"type": "string"}}, [["a"], [1], "ab"]),
        ({"type": ["string", "integer"], "minLength": 2}, ["ab", "a", 3, 2.5, None]),
        (
            {"propertyNames": {"pattern": "^[a-z-]+$"}, "additionalProperties": {"type": "string"}},
            [{}, {"ab-c": "x"}, {"Ab": "x"}, {"ab": 1}, {"a\n": "x"}, ["Ab"], "Ab"],
        ),
        ({"type": "object", "propertyNames": {"maxLength": 1}}, [{"a": 1}, {"ab": 1}, None]),
    ],
)
def test_each_keyword_agrees_with_jsonschema(schema, values):
    from jsonschema import Draft202012Validator

    for value in values:
        assert compile_schema(schema)(value) == Draft202012Validator(schema).is_valid(value), value


@functools.cache
def _custom_resources_and_versions():
    """The kube-prometheus custom resources with their CRD versions (through our loader)."""
    root = shared("corpus", "kube-prometheus", "manifests")
    loaded = [r for path in sorted(root.rglob("*.yaml")) for r in load_file(str(path)).resources]
    versions = {
        (v.api_version, v.kind): v
        for r in loaded
        if r.kind == "CustomResourceDefinition"
        for v in crd_versions(r)
    }
    return [
        (r, versions[r.api_version, r.kind]) for r in loaded if (r.api_version, r.kind) in versions
    ]


@pytest.mark.parametrize("seed", range(2))
def test_a_crd_converted_where_values_go_decides_as_the_whole_conversion(seed):
    chance = random.Random(seed)
    pairs = _custom_resources_and_versions()
    assert len(pairs) > 20
    version = newest_version()
    for resource, crd in pairs:
        validator = custom_resource_validator(crd, version, True)
        lazy = custom_resource_check(crd, version, True)
        whole = compile_schema(validator.schema)
        for data in (resource.data, *(_mutated(resource.data, chance) for _ in range(5))):
            fast = lazy(data)
            assert fast == whole(data), (resource.kind, data)
            assert not (fast and not validator.is_valid(data)), (resource.kind, data)
