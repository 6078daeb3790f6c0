"""SARIF 2.1.0, the format GitHub code scanning (and most CI dashboards) ingest.

Paths are relative URIs against `%SRCROOT%` (the directory the run started
in), so the upload maps them to the repository. Each result carries a
fingerprint built from what the finding is, not where (see `baseline`), so
code scanning keeps tracking a finding when lines above it move.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from k8slint import __version__
from k8slint.engine.baseline import finding_key, fingerprint, relative_file
from k8slint.engine.registry import Rule, load_rules
from k8slint.engine.run import LintResult
from k8slint.model import Finding
from k8slint.report import ReportSettings
from k8slint.report.escape import printable
from k8slint.report.json_format import object_dict
from k8slint.report.rule_docs import rule_markdown

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "k8slint/v2"
"""v2: cross-object findings are fingerprinted without their messages."""
_LEVELS = {"error": "error", "warning": "warning", "info": "note"}

if TYPE_CHECKING:
    from k8slint.fix.apply import LinePreviews


def render(result: LintResult, settings: ReportSettings) -> str:
    rules = list((settings.rules or load_rules()).values())
    index = {rule.id: position for position, rule in enumerate(rules)}
    root = os.path.abspath(settings.source_root)
    from k8slint.fix.apply import LinePreviews  # the round trip, only for a report that shows fixes

    previews = LinePreviews()
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "k8slint",
                "version": __version__,
                "informationUri": "https://github.com/k8slint/k8slint",
                "rules": [_descriptor(rule) for rule in rules],
            }
        },
        "originalUriBaseIds": {SRCROOT: {"uri": Path(root).as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(finding, index, root, previews) for finding in result.findings],
        "invocations": [
            {
                "executionSuccessful": not result.internal_errors,
                "toolExecutionNotifications": [
                    {
                        "level": "error" if notice.is_error else "note",
                        "message": {"text": printable(notice.message)},
                        "locations": [_location(notice.file, max(notice.line, 1), 1, root)],
                    }
                    for notice in result.notices
                ],
            }
        ],
    }
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2) + "\n"


def _descriptor(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": rule.principle},
        "help": {"text": f"{rule.fix}\n\n{rule.principle}", "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": _LEVELS[rule.severity]},
        "properties": {"tags": [tag for tag in ("kubernetes", rule.category) if tag]},
    }


def _result(
    finding: Finding, index: dict[str, int], root: str, previews: LinePreviews
) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": _LEVELS[finding.severity],
        "message": {"text": printable(finding.message)},
        "locations": [_location(finding.file, finding.line, finding.column, root)],
        "partialFingerprints": {
            FINGERPRINT_KEY: fingerprint(finding_key(finding, relative_file(finding.file, root)))
        },
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    if finding.object is not None:
        result["properties"] = {"object": object_dict(finding.object)}
    if finding.fix is not None:
        fixes = _fixes(finding, root, previews)
        if fixes:
            result["fixes"] = fixes
    if finding.builds:
        result.setdefault("properties", {})["build"] = list(finding.builds)
    return result


def _fixes(finding: Finding, root: str, previews: LinePreviews) -> list[dict[str, Any]]:
    """The fix as SARIF artifact changes: whole lines replaced, computed on the file now."""
    assert finding.fix is not None
    changes = previews.of(finding.file, finding.fix)
    if not changes:
        return []
    kind = "safe" if finding.fix.safety == "safe" else "unsafe (a guess: review it)"
    return [
        {
            "description": {"text": f"k8slint --fix: {kind}"},
            "artifactChanges": [
                {
                    "artifactLocation": _artifact(finding.file, root),
                    "replacements": [
                        {
                            "deletedRegion": {
                                "startLine": start,
                                "startColumn": 1,
                                "endLine": end,
                                "endColumn": 1,
                            },
                            "insertedContent": {"text": text},
                        }
                        for start, end, text in changes
                    ],
                }
            ],
        }
    ]


def _location(file: str, line: int, column: int, root: str) -> dict[str, Any]:
    return {
        "physicalLocation": {
            "artifactLocation": _artifact(file, root),
            "region": {"startLine": line, "startColumn": column},
        }
    }


def _artifact(file: str, root: str) -> dict[str, str]:
    """Relative to %SRCROOT% when the file is under it; an absolute file URI otherwise."""
    relative = relative_file(file, root)
    if relative.startswith("../"):
        return {"uri": Path(os.path.abspath(file)).as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}
