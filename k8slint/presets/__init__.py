"""Presets: named sets of rules, chosen with `extends:` in the config or `--preset`.

A rule says which presets it belongs to (`presets:` in its rule file, default
`recommended`); a preset file (`rules/presets/<name>.yaml`) names and
describes the preset and may give its rules other severities. Membership
lives in the rule file so that adding a rule still touches that file alone.
`all` is every rule. Choosing presets replaces the default (`recommended`):
`--preset pod-security-restricted` runs that preset alone.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from k8slint.engine.registry import Rule, RuleFileError, load_rules, rules_dir
from k8slint.model import SEVERITIES

DEFAULT_PRESET = "recommended"
ALL_PRESET = "all"
"""Every rule, whatever presets it names."""


class Preset(NamedTuple):
    name: str
    summary: str
    severity: Mapping[str, str]
    """Severities this preset gives its rules instead of their own."""


class UnknownPresetError(ValueError):
    """A config or the command line names a preset that does not exist."""


def presets_dir() -> str:
    return os.path.join(rules_dir(), "presets")


def _parse(data: object, source: str) -> Preset:
    if not isinstance(data, dict) or not data.get("name") or not data.get("summary"):
        raise RuleFileError(f"{source}: a preset file needs a name and a summary")
    severity = data.get("severity") or {}
    if not isinstance(severity, dict) or not set(severity.values()) <= set(SEVERITIES):
        raise RuleFileError(f"{source}: severity maps rule ids to {', '.join(SEVERITIES)}")
    return Preset(str(data["name"]), " ".join(str(data["summary"]).split()), dict(severity))


@functools.cache
def load_presets() -> dict[str, Preset]:
    """Every shipped preset by name, `recommended` first, `all` last, the rest by name."""
    from k8slint.engine.rule_index import documents

    found: dict[str, Preset] = {}
    for name, data in documents().items():
        folder, _, file_name = name.rpartition("/")
        if folder != "presets":
            continue
        preset = _parse(data, file_name)
        if preset.name != os.path.splitext(file_name)[0]:
            path = os.path.join(presets_dir(), file_name)
            raise RuleFileError(f"{path}: name {preset.name!r} does not match the file name")
        found[preset.name] = preset
    order = sorted(found, key=lambda name: (name != DEFAULT_PRESET, name == ALL_PRESET, name))
    return {name: found[name] for name in order}


def presets_of(rule: Rule) -> tuple[str, ...]:
    """The presets a rule is in, `all` included, in preset order."""
    return tuple(name for name in load_presets() if name == ALL_PRESET or name in rule.presets)


def check_names(names: Iterable[str]) -> None:
    known = load_presets()
    unknown = [name for name in names if name not in known]
    if unknown:
        listed = ", ".join(known)
        raise UnknownPresetError(f"unknown preset {unknown[0]!r} (presets: {listed})")


def expand(
    names: Iterable[str], rules: Mapping[str, Rule] | None = None
) -> tuple[set[str], dict[str, str]]:
    """The rule ids the presets switch on, and the severities they set (later presets win).

    No names means the default preset.
    """
    chosen = list(names) or [DEFAULT_PRESET]
    check_names(chosen)
    rules = load_rules() if rules is None else rules
    presets = load_presets()
    enabled: set[str] = set()
    severity: dict[str, str] = {}
    for name in chosen:
        members = {
            rule_id for rule_id, rule in rules.items() if name == ALL_PRESET or name in rule.presets
        }
        enabled |= members
        severity.update({k: v for k, v in presets[name].severity.items() if k in members})
    return enabled, severity
