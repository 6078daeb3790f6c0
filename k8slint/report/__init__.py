"""Output formats: one module per format, each with `render(result, settings) -> str`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from k8slint.engine import LintResult

FORMATS = ("text", "json")


@dataclass(frozen=True, slots=True)
class ReportSettings:
    color: bool = False
    show_source: bool = False
    sources: dict[str, str] | None = None
    """File texts by displayed path, for showing the offending line."""


def renderer(name: str) -> Callable[[LintResult, ReportSettings], str]:
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    return importlib.import_module(f"k8slint.report.{name}_format").render
