"""CI formats: SARIF validates against 2.1.0, JUnit parses, GitHub lines are workflow commands."""

from __future__ import annotations

import json
import os
import re
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from jsonschema import Draft7Validator
from support import FIXTURES, REPO, lint_paths, lint_text, shared, web_deployment

from k8slint.cli import cli, show_progress
from k8slint.report import ReportSettings, renderer
from k8slint.report.github_format import escape_data, escape_property

TWO_MISTAKES = (
    web_deployment("nodeSelector: {disktype: ssd}\nhostNetwork: true", "shop")
    + "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: clean\n"
)


@pytest.fixture(scope="module", autouse=True)
def in_repository():
    """Paths as a user in the repository gives them: relative, under %SRCROOT%."""
    old = os.getcwd()
    os.chdir(REPO)
    yield
    os.chdir(old)


@pytest.fixture(scope="module")
def fixtures_result(in_repository):
    """Every fixture linted with every rule: many files, rules and severities."""
    return lint_paths([FIXTURES.name])


def _render(name: str, result, **settings) -> str:
    return renderer(name)(result, ReportSettings(**settings))


def test_sarif_of_the_fixtures_validates_and_has_real_regions(fixtures_result):
    assert fixtures_result.findings
    document = json.loads(_render("sarif", fixtures_result))
    schema = json.loads(shared("schemas", "sarif-schema-2.1.0.json").read_text())
    Draft7Validator.check_schema(schema)
    errors = list(Draft7Validator(schema).iter_errors(document))
    assert not errors, errors[0].message
    run = document["runs"][0]
    results = run["results"]
    assert len(results) == len(fixtures_result.findings)
    for finding, result in zip(fixtures_result.findings, results, strict=True):
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["artifactLocation"]["uri"] == finding.file
        assert location["region"] == {"startLine": finding.line, "startColumn": finding.column}
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == finding.rule


def test_sarif_rules_carry_the_rule_docs():
    result = lint_text(TWO_MISTAKES, ["pod-field-in-container"])
    driver = json.loads(_render("sarif", result))["runs"][0]["tool"]["driver"]
    rule = next(r for r in driver["rules"] if r["id"] == "pod-field-in-container")
    assert rule["shortDescription"]["text"].startswith("A Pod-level field")
    assert "one scheduling decision" in rule["fullDescription"]["text"]
    assert "## Why" in rule["help"]["markdown"]
    assert rule["defaultConfiguration"]["level"] == "error"


def test_sarif_fingerprint_survives_moved_lines_but_not_another_object():
    def fingerprints(text: str) -> list[str]:
        document = json.loads(_render("sarif", lint_text(text, ["pod-field-in-container"])))
        return [r["partialFingerprints"]["k8slint/v2"] for r in document["runs"][0]["results"]]

    before = fingerprints(TWO_MISTAKES)
    assert len(before) == len(set(before)) == 2
    assert fingerprints("# a comment\n# and another\n" + TWO_MISTAKES) == before
    renamed = fingerprints(TWO_MISTAKES.replace("name: web", "name: api"))
    assert not set(renamed) & set(before)


def test_sarif_uri_outside_the_source_root_is_absolute(tmp_path):
    result = lint_text(TWO_MISTAKES, ["pod-field-in-container"], name=str(tmp_path / "w.yaml"))
    document = json.loads(_render("sarif", result, source_root=str(tmp_path / "sub")))
    location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": (tmp_path / "w.yaml").as_uri()}


def test_junit_one_suite_per_file_one_case_per_object_one_failure_per_finding(fixtures_result):
    root = ET.fromstring(_render("junit", fixtures_result))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert {s.get("name") for s in suites} == set(fixtures_result.inventory)
    failures = root.findall("./testsuite/testcase/failure")
    assert len(failures) == len(fixtures_result.findings) == int(root.get("failures"))
    for suite in suites:
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))


def test_junit_clean_objects_pass_and_findings_name_rule_and_line():
    root = ET.fromstring(_render("junit", lint_text(TWO_MISTAKES, ["pod-field-in-container"])))
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {"Deployment shop/web", "ConfigMap clean"}
    assert cases["ConfigMap clean"].find("failure") is None
    failures = cases["Deployment shop/web"].findall("failure")
    assert [f.get("type") for f in failures] == ["error", "error"]
    assert failures[0].get("message").startswith("pod-field-in-container: nodeSelector")
    assert failures[0].text.startswith("manifest.yaml:16:11: error pod-field-in-container")


def test_junit_file_level_finding_gets_a_file_testcase():
    root = ET.fromstring(_render("junit", lint_text("a: [1, 2\n", ["yaml-syntax"])))
    case = root.find("./testsuite/testcase")
    assert case.get("name") == "(file)"
    assert case.find("failure").get("message").startswith("yaml-syntax:")


GITHUB_LINE = re.compile(
    r"^::(error|warning|notice) file=[^,:]+,line=\d+,col=\d+,title=[a-z0-9-]+::[^\r\n]*$"
)


def test_github_lines_are_workflow_commands(fixtures_result):
    lines = _render("github", fixtures_result).splitlines()
    finding_lines = lines[: len(fixtures_result.findings)]
    assert finding_lines
    for line in finding_lines:
        assert GITHUB_LINE.match(line), line
    first = fixtures_result.findings[0]
    assert finding_lines[0].startswith(
        f"::error file={first.file},line={first.line},col={first.column},title={first.rule}::"
    )


def test_github_severities_and_escaping():
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_property("a:b,c%") == "a%3Ab%2Cc%25"
    result = lint_text(TWO_MISTAKES, ["pod-field-in-container"], name="odd,name:x.yaml")
    line = _render("github", result).splitlines()[0]
    assert line.startswith("::error file=odd%2Cname%3Ax.yaml,line=16,col=11,")


def _cli(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def manifest(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text(TWO_MISTAKES)
    return path


@pytest.mark.parametrize("output_format", ["sarif", "junit", "github", "json"])
def test_output_file_gets_the_format_and_the_terminal_gets_text(manifest, tmp_path, output_format):
    target = tmp_path / f"report.{output_format}"
    result = _cli("lint", str(manifest), "--format", output_format, "--output", str(target))
    assert result.exit_code == 1
    assert result.stdout.startswith(f"{manifest}:16:11: error pod-field-in-container")
    assert result.stdout.endswith("Found 2 problems (2 errors) in 1 file, 2 objects.\n")
    written = target.read_text()
    if output_format == "junit":
        assert ET.fromstring(written).tag == "testsuites"
    elif output_format == "github":
        assert written.startswith("::error ")
    else:
        assert json.loads(written)


def test_quiet_prints_findings_only_and_statistics_counts_per_rule(manifest):
    quiet = _cli("lint", str(manifest), "--quiet")
    assert quiet.exit_code == 1
    assert len(quiet.stdout.splitlines()) == 2
    assert "Found" not in quiet.stdout
    stats = _cli("lint", str(manifest), "--statistics")
    assert "2  pod-field-in-container" in stats.stdout.splitlines()
    as_json = json.loads(_cli("lint", str(manifest), "--statistics", "--format", "json").stdout)
    assert as_json["statistics"] == {"pod-field-in-container": 2}


def test_quiet_drops_notes_but_keeps_errors(tmp_path):
    helm = tmp_path / "t.yaml"
    helm.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }\n")
    assert "note:" in _cli("lint", str(helm)).stderr
    assert _cli("lint", str(helm), "--quiet").stderr == ""


def test_progress_bar_only_on_a_terminal_outside_ci(monkeypatch):
    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", Terminal())
    monkeypatch.delenv("CI", raising=False)
    assert show_progress(500, quiet=False)
    assert not show_progress(3, quiet=False)
    assert not show_progress(500, quiet=True)
    monkeypatch.setenv("CI", "true")
    assert not show_progress(500, quiet=False)
    monkeypatch.delenv("CI")
    monkeypatch.setattr("sys.stderr", open(os.devnull, "w"))  # noqa: SIM115
    assert not show_progress(500, quiet=False)


def test_progress_is_reported_as_files_finish(tmp_path):
    """The bar moves with the work, one process or many (not all at once first)."""
    from k8slint.engine.registry import load_rules
    from k8slint.engine.run import Engine
    from k8slint.load.discover import InputFile

    files = []
    for number in range(70):
        path = tmp_path / f"c{number}.yaml"
        path.write_text(f"apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{number}}}\n")
        files.append(InputFile(str(path), path=str(path)))
    for jobs in (1, 2):
        steps: list[int] = []
        Engine(load_rules().values(), jobs=jobs).lint(files, progress=steps.append)
        assert sum(steps) == 70 and len(steps) > 1, jobs
