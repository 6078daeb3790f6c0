"""JUnit XML, the format CI test tabs read (GitLab, Jenkins, Azure, CircleCI).

One testsuite per file, one testcase per object, one failure per finding:
a clean object shows as a passing test, so the tab also shows what was checked.
Findings about the file itself (a YAML syntax error) go to a testcase named
after the file.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import defaultdict

from k8slint.engine.run import LintResult
from k8slint.model import Finding, ObjectRef, format_path
from k8slint.report import ReportSettings
from k8slint.report.escape import printable

FILE_CASE = "(file)"


def object_name(ref: ObjectRef) -> str:
    """`Deployment shop/web`: how people name an object."""
    where = f"{ref.namespace}/{ref.name}" if ref.namespace else f"{ref.name}"
    return printable(f"{ref.kind or '?'} {where}")


def render(result: LintResult, settings: ReportSettings) -> str:
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in result.findings:
        by_file[finding.file].append(finding)
    root = ET.Element(
        "testsuites",
        name="k8slint",
        tests="0",
        failures=str(len(result.findings)),
    )
    total = 0
    for file in sorted(set(result.inventory) | set(by_file)):
        total += _suite(root, file, result.inventory.get(file, []), by_file.get(file, []))
    root.set("tests", str(total))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _suite(parent: ET.Element, file: str, objects: list[ObjectRef], findings: list[Finding]) -> int:
    """Add the testsuite of one file; returns its number of testcases."""
    cases: dict[str, list[Finding]] = {}
    if any(finding.object is None for finding in findings):
        cases[FILE_CASE] = []
    for ref in objects:
        cases.setdefault(object_name(ref), [])
    for finding in findings:
        name = FILE_CASE if finding.object is None else object_name(finding.object)
        cases.setdefault(name, []).append(finding)
    suite = ET.SubElement(
        parent,
        "testsuite",
        name=printable(file),
        tests=str(len(cases)),
        failures=str(len(findings)),
        errors="0",
    )
    for name, failures in cases.items():
        shown = printable(file)
        case = ET.SubElement(suite, "testcase", name=name, classname=shown, file=shown)
        for finding in failures:
            failure = ET.SubElement(
                case,
                "failure",
                message=f"{finding.rule}: {printable(finding.message)}",
                type=finding.severity,
            )
            where = f"{shown}:{finding.line}:{finding.column}"
            path = f" at {printable(format_path(finding.path))}" if finding.path else ""
            message = printable(finding.message)
            failure.text = f"{where}: {finding.severity} {finding.rule}{path}\n{message}"
    return len(cases)
