"""A version's `_definitions.json`, each definition decoded when it is first asked for.

The document is 1.8 MB of JSON with about 860 definitions; decoding it whole
was the largest cost of a one-file lint after its imports (about 20 ms), while
a Deployment reaches a fifth of the definitions and the list of built-in kinds
needs only their `x-kubernetes-group-version-kind` annotations. kubernetes-validate
writes the document indented by two spaces with `$defs` first, so a definition's
name is a key four spaces in and its annotations are keys six spaces in: found
with `str.find` and decoded alone with `json.JSONDecoder.raw_decode`. A
document in any other layout is decoded whole, and tests/test_definitions.py
compares the two ways on every bundled version.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

_LAYOUT = '{\n  "$defs": {\n    "'
"""How kubernetes-validate's documents begin: the layout that the keys below assume."""
_NAME = '\n    "'
"""Four spaces in: a key of `$defs`, a definition's name (top-level values are
`$defs`, an object, and strings, so nothing else is at this depth)."""
_KINDS = '\n      "x-kubernetes-group-version-kind": '
"""Six spaces in and followed by a colon: a key of a definition."""

_DECODER = json.JSONDecoder()


class Definitions(Mapping[str, dict[str, Any]]):
    """The `$defs` of a definitions document, by name, in the document's order."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._decoded: dict[str, dict[str, Any]] = {}
        self._starts = _value_starts(text) if text.startswith(_LAYOUT) else None
        if self._starts is None:  # another layout: decoded whole, once
            self._decoded = json.loads(text).get("$defs", {})

    def __getitem__(self, name: str) -> dict[str, Any]:
        found = self._decoded.get(name)
        if found is None:
            if self._starts is None or name not in self._starts:
                raise KeyError(name)
            found = self._decoded[name] = _DECODER.raw_decode(self._text, self._starts[name])[0]
        return found

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded if self._starts is None else self._starts)

    def __len__(self) -> int:
        return len(self._decoded if self._starts is None else self._starts)

    def group_version_kinds(self) -> Iterator[dict[str, str]]:
        """Every definition's `x-kubernetes-group-version-kind` entries (the API
        objects a version serves), without decoding the definitions."""
        if self._starts is None:
            for definition in self._decoded.values():
                yield from definition.get("x-kubernetes-group-version-kind", ())
            return
        at = self._text.find(_KINDS)
        while at != -1:
            entries, end = _DECODER.raw_decode(self._text, at + len(_KINDS))
            yield from entries
            at = self._text.find(_KINDS, end)


def _value_starts(text: str) -> dict[str, int] | None:
    """Where each definition's value begins, by name (None if a key is not as
    expected: the document is then decoded whole)."""
    starts: dict[str, int] = {}
    at = text.find(_NAME)
    while at != -1:
        name_start = at + len(_NAME)
        name_end = text.find('"', name_start)
        if text[name_end : name_end + 4] != '": {':
            return None
        starts[text[name_start:name_end]] = name_end + 3
        at = text.find(_NAME, name_end)
    return starts
