"""The report for people: `path:line:col: severity rule-id message`, a summary last.

The line format is what editors and `grep` understand; source lines with a
caret and colour appear only on a terminal, where a person reads them.
"""

from __future__ import annotations

from collections import Counter

import click

from k8slint.engine import LintResult
from k8slint.model import SEVERITIES, Finding
from k8slint.report import ReportSettings

_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}


def render(result: LintResult, settings: ReportSettings) -> str:
    lines: list[str] = []
    for finding in result.findings:
        lines.append(_headline(finding, settings.color))
        if settings.show_source and settings.sources:
            lines.extend(_source_excerpt(finding, settings.sources.get(finding.file)))
    lines.append(summary_line(result))
    if result.not_validated:
        lines.append(not_validated_line(result))
    return "\n".join(lines) + "\n"


def _headline(finding: Finding, color: bool) -> str:
    where = f"{finding.file}:{finding.line}:{finding.column}:"
    severity = finding.severity
    if color:
        where = click.style(where, bold=True)
        severity = click.style(severity, fg=_COLORS[severity], bold=True)
    return f"{where} {severity} {finding.rule} {finding.message}"


def _source_excerpt(finding: Finding, text: str | None) -> list[str]:
    if not text:
        return []
    source_lines = text.splitlines()
    if not 0 < finding.line <= len(source_lines):
        return []
    gutter = str(finding.line)
    pad = " " * len(gutter)
    return [
        f"  {gutter} | {source_lines[finding.line - 1].expandtabs(1)}",
        f"  {pad} | {' ' * (finding.column - 1)}^",
    ]


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def not_validated_line(result: LintResult) -> str:
    """`3 custom resources not validated (...): monitoring.coreos.com/v1 ServiceMonitor (2), ...`"""
    kinds = Counter(
        f"{item.object.api_version} {item.object.kind}" for item in result.not_validated
    )
    listed = ", ".join(
        name if count == 1 else f"{name} ({count})" for name, count in sorted(kinds.items())
    )
    count = len(result.not_validated)
    return (
        f"{_plural(count, 'custom resource')} not validated "
        f"(no CustomResourceDefinition in the run; add it with --crd-dir): {listed}"
    )


def summary_line(result: LintResult) -> str:
    counts = Counter(finding.severity for finding in result.findings)
    scope = f"{_plural(result.files, 'file')}, {_plural(result.objects, 'object')}"
    if not result.findings:
        return f"No problems found ({scope})."
    parts = ", ".join(_plural(counts[s], s) for s in SEVERITIES if counts[s])
    return f"Found {_plural(len(result.findings), 'problem')} ({parts}) in {scope}."
