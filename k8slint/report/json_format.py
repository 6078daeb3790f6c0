"""The JSON report: a public contract (DESIGN.md). Extend it; never rename a field.

Values are the input's own text: JSON escapes every control character itself
(`\u0001`), so a consumer gets the exact key and no raw control character.
"""

from __future__ import annotations

import json
from collections import Counter

from k8slint.engine.run import LintResult
from k8slint.model import SEVERITIES, Finding, ObjectRef, format_path
from k8slint.report import ReportSettings


def object_dict(ref: ObjectRef | None) -> dict[str, str | None] | None:
    if ref is None:
        return None
    return {
        "apiVersion": ref.api_version,
        "kind": ref.kind,
        "name": ref.name,
        "namespace": ref.namespace,
    }


def finding_dict(finding: Finding) -> dict[str, object]:
    found: dict[str, object] = {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "file": finding.file,
        "line": finding.line,
        "column": finding.column,
        "path": format_path(finding.path),
        "object": object_dict(finding.object),
        "fixable": finding.fix is not None,
        **({"fix": finding.fix.safety} if finding.fix else {}),
    }
    if finding.builds:
        found["build"] = list(finding.builds)
    return found


def render(result: LintResult, settings: ReportSettings) -> str:
    counts = Counter(finding.severity for finding in result.findings)
    summary: dict[str, object] = {"files": result.files, "objects": result.objects}
    summary.update({severity: counts.get(severity, 0) for severity in SEVERITIES})
    summary["not_validated"] = len(result.not_validated)
    if settings.baseline is not None:
        summary["baseline"] = {
            "file": settings.baseline.file,
            "matched": settings.baseline.matched,
            "stale": settings.baseline.stale,
        }
    document: dict[str, object] = {
        "findings": [finding_dict(finding) for finding in result.findings],
        "summary": summary,
        "notices": [
            {"file": n.file, "line": n.line, "message": n.message, "error": n.is_error}
            for n in result.notices
        ],
        "not_validated": [
            {"file": item.file, "line": item.line, "object": object_dict(item.object)}
            for item in result.not_validated
        ],
    }
    if settings.statistics:
        document["statistics"] = dict(Counter(f.rule for f in result.findings).most_common())
    return json.dumps(document, indent=2) + "\n"
