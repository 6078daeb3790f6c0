"""A definitions document decoded one definition at a time (k8slint.kube.definitions)
must read as the whole document decoded: on every bundled version, and on a
document in another layout."""

from __future__ import annotations

import json

import pytest

from k8slint.kube.definitions import Definitions
from k8slint.kube.openapi import bundled_versions, definitions_path


def _text(version: tuple[int, int], strict: bool) -> str:
    with open(definitions_path(version, strict), encoding="utf-8") as handle:
        return handle.read()


def _kinds(definitions: dict) -> list[dict]:
    return [
        gvk
        for definition in definitions.values()
        for gvk in definition.get("x-kubernetes-group-version-kind", ())
    ]


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize("version", bundled_versions())
def test_each_definition_decodes_as_in_the_whole_document(version, strict):
    text = _text(version, strict)
    whole = json.loads(text)["$defs"]
    lazy = Definitions(text)
    assert lazy._starts is not None  # kubernetes-validate's layout: read lazily
    assert list(lazy) == list(whole)
    assert list(lazy.group_version_kinds()) == _kinds(whole)
    assert all(lazy[name] == definition for name, definition in whole.items())


def test_a_document_in_another_layout_is_decoded_whole():
    whole = json.loads(_text(bundled_versions()[-1], True))
    for text in (json.dumps(whole), json.dumps(whole, indent=4)):
        other = Definitions(text)
        assert other._starts is None
        assert dict(other) == whole["$defs"]
        assert list(other.group_version_kinds()) == _kinds(whole["$defs"])


def test_a_key_that_is_not_a_plain_definition_name_means_another_layout():
    text = '{\n  "$defs": {\n    "a\\"b": {\n      "type": "string"\n    }\n  }\n}'
    assert dict(Definitions(text)) == {'a"b': {"type": "string"}}


def test_an_unknown_name_is_a_key_error():
    with pytest.raises(KeyError):
        Definitions(_text(bundled_versions()[-1], True))["io.k8s.api.apps.v1.Nothing"]
