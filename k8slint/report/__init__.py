"""Output formats: one module per format, each with `render(result, settings) -> str`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # the CLI reads FORMATS before it has loaded the engine
    from k8slint.engine.baseline import BaselineSummary
    from k8slint.engine.registry import Rule
    from k8slint.engine.run import LintResult

FORMATS = ("text", "json", "sarif", "junit", "github")


class ReportSettings(NamedTuple):
    """How to render a report (a named tuple: see `k8slint.cli.LintOptions`)."""

    color: bool = False
    show_source: bool = False
    sources: dict[str, str] | None = None
    """File texts by displayed path, for showing the offending line."""
    rules: dict[str, Rule] | None = None
    """The rules of this run (params as configured; severities as shipped: each
    finding carries the severity decided for its file), for formats that describe
    them (SARIF); None means every shipped rule as shipped."""
    source_root: str = "."
    """Directory that relative paths in the report are relative to (SARIF %SRCROOT%)."""
    quiet: bool = False
    """Findings only: no summary line."""
    statistics: bool = False
    """Add the number of findings per rule."""
    baseline: BaselineSummary | None = None
    """How the run compared with `--baseline`, when one was given."""


def renderer(name: str) -> Callable[[LintResult, ReportSettings], str]:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    return importlib.import_module(f"k8slint.report.{name}_format").render
