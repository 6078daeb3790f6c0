"""Rules are data (`rules/<id>.yaml`); checks are functions that register by name.

A rule file binds its id to a check (`check: placement.pod_field_in_container`);
the check's module is imported only when a rule that needs it is enabled, so
adding a rule never means editing a central list.
"""

from __future__ import annotations

import functools
import os
from typing import Any, NamedTuple

from k8slint.model import SEVERITIES

LOADER_CHECK = "loader"
"""The binding of rules whose findings the loader makes (syntax, duplicate keys)."""

REQUIRED_FIELDS = ("id", "severity", "summary", "principle", "fix", "check", "examples")


class Rule(NamedTuple):
    id: str
    severity: str
    summary: str
    principle: str
    fix: str
    check: str
    examples: dict[str, str]
    params: dict[str, Any]
    fixes: dict[str, str]
    """What `--fix` does for this rule, by kind (`safe`, `unsafe`)."""
    examples_version: str | None = None
    """The Kubernetes version the examples are written for, where the rule depends on it."""
    category: str = ""
    explains: tuple[str, ...] = ()
    """Rules whose finding at the same node this rule's finding makes redundant:
    a misplaced field is also an unknown field to `schema`, said better here."""
    presets: tuple[str, ...] = ("recommended",)
    """The presets (`rules/presets/<name>.yaml`) that switch the rule on; a rule
    file without `presets:` is in `recommended`, the default."""

    @property
    def produced_by_loader(self) -> bool:
        return self.check == LOADER_CHECK


class RuleFileError(ValueError):
    """A rule file in the package is malformed: a bug in k8slint, not user input."""


def rules_dir() -> str:
    """`k8slint/_rules` in an installed wheel, the repository's `rules/` in a checkout."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    packaged = os.path.join(package, "_rules")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(package), "rules")


def parse_rule(data: Any, source: str) -> Rule:
    if not isinstance(data, dict):
        raise RuleFileError(f"{source}: a rule file must be a mapping")
    missing = [name for name in REQUIRED_FIELDS if not data.get(name)]
    if missing:
        raise RuleFileError(f"{source}: missing {', '.join(missing)}")
    if data["severity"] not in SEVERITIES:
        raise RuleFileError(f"{source}: severity must be one of {', '.join(SEVERITIES)}")
    examples = data["examples"]
    if not isinstance(examples, dict) or not examples.get("bad") or not examples.get("good"):
        raise RuleFileError(f"{source}: examples needs both 'bad' and 'good'")
    version = examples.get("kubernetes-version")
    return Rule(
        id=data["id"],
        severity=data["severity"],
        summary=str(data["summary"]).strip(),
        principle=str(data["principle"]).strip(),
        fix=str(data["fix"]).strip(),
        check=data["check"],
        examples={"bad": examples["bad"], "good": examples["good"]},
        examples_version=str(version) if version is not None else None,
        category=data.get("category", ""),
        params=data.get("params") or {},
        explains=tuple(data.get("explains") or ()),
        presets=tuple(data.get("presets") or ("recommended",)),
        fixes=_fixes(data.get("fixes"), source),
    )


def _fixes(value: Any, source: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not set(value) <= {"safe", "unsafe"}:
        raise RuleFileError(f"{source}: fixes maps 'safe' and/or 'unsafe' to a description")
    return {kind: str(text).strip() for kind, text in value.items()}


@functools.cache
def load_rules() -> dict[str, Rule]:
    """Every rule shipped with k8slint, by id, in id order (their files' data
    comes through `rule_index`: parsed once per change of the files)."""
    from k8slint.engine.rule_index import documents

    rules: dict[str, Rule] = {}
    for name, data in documents().items():
        if "/" in name:  # presets/<name>.yaml
            continue
        rule = parse_rule(data, name)
        if rule.id != os.path.splitext(name)[0]:
            path = os.path.join(rules_dir(), name)
            raise RuleFileError(f"{path}: id {rule.id!r} does not match the file name")
        rules[rule.id] = rule
    return rules
