"""The report for people: `path:line:col: severity rule-id message`, a summary last.

The line format is what editors and `grep` understand; source lines with a
caret and colour appear only on a terminal, where a person reads them.
"""

from __future__ import annotations

from collections import Counter

import click

from k8slint.engine.run import LintResult
from k8slint.model import SEVERITIES, Finding
from k8slint.report import ReportSettings
from k8slint.report.escape import printable

_COLORS = {"error": "red", "warning": "yellow", "info": "blue"}


def render(result: LintResult, settings: ReportSettings) -> str:
    lines: list[str] = []
    for finding in result.findings:
        lines.append(_headline(finding, settings.color))
        if settings.show_source and settings.sources:
            lines.extend(_source_excerpt(finding, settings.sources.get(finding.file)))
    if settings.statistics:
        lines.extend(statistics_lines(result))
    if not settings.quiet:
        lines.append(summary_line(result) + baseline_note(settings))
        if result.not_validated:
            lines.append(not_validated_line(result))
    return "".join(line + "\n" for line in lines)


def _headline(finding: Finding, color: bool) -> str:
    where = f"{printable(finding.file)}:{finding.line}:{finding.column}:"
    severity = finding.severity
    if color:
        where = click.style(where, bold=True)
        severity = click.style(severity, fg=_COLORS[severity], bold=True)
    return f"{where} {severity} {finding.rule} {printable(finding.message)}"


def _source_excerpt(finding: Finding, text: str | None) -> list[str]:
    if not text:
        return []
    source_lines = text.splitlines()
    if not 0 < finding.line <= len(source_lines):
        return []
    gutter = str(finding.line)
    pad = " " * len(gutter)
    return [
        f"  {gutter} | {printable(source_lines[finding.line - 1].expandtabs(1))}",
        f"  {pad} | {' ' * (finding.column - 1)}^",
    ]


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def statistics_lines(result: LintResult) -> list[str]:
    """Findings per rule, most frequent first (what to fix, or configure, first)."""
    counts = Counter(finding.rule for finding in result.findings)
    width = len(str(max(counts.values(), default=0)))
    return [f"{count:>{width}}  {rule}" for rule, count in counts.most_common()]


def baseline_note(settings: ReportSettings) -> str:
    summary = settings.baseline
    if summary is None:
        return ""
    note = f" {_plural(summary.matched, 'known problem')} in the baseline not shown"
    if summary.stale:
        note += (
            f"; {_plural(summary.stale, 'baseline entry', 'baseline entries')} no longer "
            "found (fixed: rerun with --write-baseline to drop them)"
        )
    return note + "."


def not_validated_line(result: LintResult) -> str:
    """`3 custom resources not validated (...): monitoring.coreos.com/v1 ServiceMonitor (2), ...`"""
    kinds = Counter(
        printable(f"{item.object.api_version} {item.object.kind}") for item in result.not_validated
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
