"""Suppression by comment (per line or per file) and by annotation (per object).

Comments are found by scanning the text, not the YAML: the fast composer drops
comments, and a plain scan for one marker costs nothing when it is absent.
Annotations exist because Helm and Kustomize drop comments but keep them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from k8slint.model import Resource

ANNOTATION_PREFIX = "ignore.k8slint.io/"
ALL = "all"

_MARKER = "k8slint:"
_DIRECTIVE = re.compile(r"#\s*k8slint:\s*(disable-file|disable)\b(?:\s*=\s*([\w\-, ]+))?")


class Suppressions:
    """What the comments of one file switch off (filled by `parse_comments`; a
    plain class: a dataclass would add methods nothing calls, compiled at every
    start)."""

    __slots__ = ("file_rules", "line_rules", "unknown")

    def __init__(self) -> None:
        self.file_rules: set[str] = set()
        self.line_rules: dict[int, set[str]] = {}
        self.unknown: list[tuple[int, str]] = []

    def covers(self, rule: str, line: int) -> bool:
        if rule in self.file_rules or ALL in self.file_rules:
            return True
        on_line = self.line_rules.get(line)
        return on_line is not None and (rule in on_line or ALL in on_line)


_NONE = Suppressions()
"""What a file without the marker (most files) gets: one object, never changed,
since a run holds the suppressions of every file to its end."""


def parse_comments(text: str, known_rules: Iterable[str]) -> Suppressions:
    if _MARKER not in text:
        return _NONE
    result = Suppressions()
    known = set(known_rules)
    lines = text.splitlines()
    pending: set[str] = set()
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if pending and stripped and not stripped.startswith("#"):
            result.line_rules.setdefault(number, set()).update(pending)
            pending = set()
        if _MARKER not in line:
            continue
        match = _DIRECTIVE.search(line)
        if match is None:
            continue
        rules = _rule_list(match.group(2))
        for rule in rules - known - {ALL}:
            result.unknown.append((number, f"unknown rule id {rule!r} in k8slint comment"))
        if match.group(1) == "disable-file":
            result.file_rules |= rules
        elif stripped.startswith("#"):
            pending |= rules
        else:
            result.line_rules.setdefault(number, set()).update(rules)
    return result


def _rule_list(text: str | None) -> set[str]:
    if not text:
        return {ALL}
    return {part.strip() for part in text.split(",") if part.strip()}


def annotation_rules(resource: Resource) -> set[str]:
    """Rule ids an object switches off for itself with `ignore.k8slint.io/<rule-id>`."""
    return {
        key[len(ANNOTATION_PREFIX) :]
        for key in resource.annotations
        if isinstance(key, str) and key.startswith(ANNOTATION_PREFIX)
    }
