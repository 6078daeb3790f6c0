"""The bundled API schemas as k8slint reads them: what is written down instead of
read (kind names) and what is resolved on first use (definitions) must equal the
full computation over the files kubernetes-validate ships."""

from __future__ import annotations

from typing import Any

import pytest

from k8slint.kube import validators
from k8slint.kube.definitions import Definitions
from k8slint.kube.openapi import (
    OLDEST_ONLY_KINDS,
    builtin_kind_names,
    builtin_kinds,
    bundled_versions,
    definitions,
    definitions_path,
    kind_schema,
    newest_version,
)


def _document_text(version: tuple[int, int]) -> str:
    with open(definitions_path(version), encoding="utf-8") as handle:
        return handle.read()


def _kind_names(version: tuple[int, int]) -> set[str]:
    return {kind for _, kind in builtin_kinds(version)}


def test_the_kinds_only_the_oldest_version_serves_are_written_down_exactly():
    oldest, newest = bundled_versions()[0], newest_version()
    assert _kind_names(oldest) - _kind_names(newest) == OLDEST_ONLY_KINDS, (
        "kubernetes-validate's versions changed: update openapi.OLDEST_ONLY_KINDS"
    )
    assert builtin_kind_names() == _kind_names(oldest) | _kind_names(newest)


def _shape(node: Any, names: dict[int, str]) -> Any:
    """A resolved schema as plain data, each definition it reaches shown by name
    (resolved definitions form cycles, which plain data cannot)."""
    if isinstance(node, dict):
        return {key: _below(value, names) for key, value in node.items()}
    if isinstance(node, list):
        return [_below(value, names) for value in node]
    return node


def _below(node: Any, names: dict[int, str]) -> Any:
    name = names.get(id(node))
    return ("definition", name) if name is not None else _shape(node, names)


@pytest.mark.parametrize("strict", [True, False])
def test_definitions_resolve_the_same_whatever_reaches_them_first(strict: bool):
    """Resolution on first use: a definition's resolved form must not depend on
    which kind reached it first (the order a run's objects come in)."""
    source = definitions(newest_version(), strict)
    forward, backward = validators._Definitions(source), validators._Definitions(source)
    for name in source:
        forward.resolved(name)
    for name in reversed(list(source)):
        backward.resolved(name)
    assert len(forward.names) == len(backward.names) == len(source)
    for name in source:
        resolved = _shape(forward.resolved(name), forward.names)
        assert resolved == _shape(backward.resolved(name), backward.names)
        assert "_definitions.json" not in repr(resolved)  # no reference left


def test_a_kind_resolves_only_the_definitions_it_reaches():
    version = newest_version()
    source = Definitions(_document_text(version))
    resolver = validators._Definitions(source)
    schema = validators._resolve(kind_schema(version, "apps/v1", "Deployment"), resolver)
    reached = set(resolver.names.values())
    assert "io.k8s.api.core.v1.Container" in reached
    assert "io.k8s.api.batch.v1.JobSpec" not in reached
    assert len(reached) < len(source) / 4
    assert schema["properties"]["spec"] is resolver.resolved("io.k8s.api.apps.v1.DeploymentSpec")
    # and only those definitions were decoded from the document
    assert set(source._decoded) == reached
