"""GitHub Actions workflow commands: findings appear inline on the pull request.

`::error file=F,line=L,col=C,title=RULE::MESSAGE` per finding (warning and
notice for the other severities). Values are escaped as the runner expects:
`%`, CR and LF everywhere, and `:` and `,` too inside properties; the other
control characters as every format shows them (`printable`). No value can end
a command line and start one of its own.
"""

from __future__ import annotations

from k8slint.engine.run import LintResult
from k8slint.report import ReportSettings
from k8slint.report.escape import printable

_COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    escaped = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return printable(escaped)


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: LintResult, settings: ReportSettings) -> str:
    lines = []
    for finding in result.findings:
        properties = ",".join(
            f"{name}={escape_property(str(value))}"
            for name, value in (
                ("file", finding.file),
                ("line", finding.line),
                ("col", finding.column),
                ("title", finding.rule),
            )
        )
        command = _COMMANDS[finding.severity]
        lines.append(f"::{command} {properties}::{escape_data(finding.message)}")
    for notice in result.notices:
        command = "error" if notice.is_error else "notice"
        where = f"file={escape_property(notice.file)},line={max(notice.line, 1)}"
        lines.append(f"::{command} {where},title=k8slint::{escape_data(notice.message)}")
    return "".join(line + "\n" for line in lines)
