"""The command line as users run it: in-process through CliRunner, and as a real process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from support import REPO, web_deployment

from k8slint.cli import cli

NODE_SELECTOR_IN_CONTAINER = web_deployment("nodeSelector:\n  disktype: ssd")


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


@pytest.fixture
def manifest(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text(NODE_SELECTOR_IN_CONTAINER)
    return path


def test_node_selector_in_container_is_one_finding_at_its_line(manifest):
    result = run("lint", str(manifest), "--format", "json")
    assert result.exit_code == 1
    findings = json.loads(result.output)["findings"]
    assert [(f["rule"], f["line"], f["column"]) for f in findings] == [
        ("pod-field-in-container", 15, 11)
    ]
    assert (
        "move it from spec.template.spec.containers[0] to spec.template.spec"
        in (findings[0]["message"])
    )


def test_json_output_is_the_documented_contract(manifest):
    document = json.loads(run("lint", str(manifest), "--format", "json").output)
    finding = document["findings"][0]
    assert set(finding) >= {
        "rule", "severity", "message", "file", "line", "column", "path", "object", "fixable"
    }  # fmt: skip
    assert finding["file"] == str(manifest)
    assert finding["path"] == "spec.template.spec.containers[0].nodeSelector"
    assert finding["object"] == {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "namespace": None
    }  # fmt: skip
    documented = {"files": 1, "objects": 1, "error": 1, "warning": 0, "info": 0}
    assert {key: document["summary"][key] for key in documented} == documented


def test_text_output_line_format_and_summary(manifest):
    result = run("lint", str(manifest))
    lines = result.output.splitlines()
    assert lines[0].startswith(f"{manifest}:15:11: error pod-field-in-container nodeSelector")
    assert lines[-1] == "Found 1 problem (1 error) in 1 file, 1 object."


def test_show_source_puts_a_caret_under_the_column(manifest):
    lines = run("lint", str(manifest), "--show-source").output.splitlines()
    assert lines[1] == "  15 |           nodeSelector:"
    assert lines[2] == "     |           ^"


def test_clean_input_exits_zero(tmp_path):
    good = tmp_path / "ok.yaml"
    good.write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n")
    result = run("lint", str(tmp_path))
    assert result.exit_code == 0
    assert result.output == "No problems found (1 file, 1 object).\n"


def test_stdin_with_a_name():
    result = run("lint", "-", "--stdin-filename", "rendered.yaml", stdin=NODE_SELECTOR_IN_CONTAINER)
    assert result.exit_code == 1
    assert result.output.startswith("rendered.yaml:15:11: error pod-field-in-container")


def test_select_and_ignore_take_ids_and_globs(manifest):
    # Without its specific rule, the misplaced field is still a schema error.
    assert "error schema unknown field" in run("lint", str(manifest), "--ignore", "pod-*").output
    assert run("lint", str(manifest), "--ignore", "pod-*,schema").exit_code == 0
    assert run("lint", str(manifest), "--select", "pod-field-in-container").exit_code == 1
    assert run("lint", str(manifest), "--select", "yaml-*").exit_code == 0


def test_unknown_rule_in_select_is_a_usage_error(manifest):
    result = run("lint", str(manifest), "--select", "no-such-rule")
    assert result.exit_code == 2
    assert "no rule matches 'no-such-rule'" in result.output


def test_missing_path_is_exit_2_but_other_paths_are_linted(manifest, tmp_path):
    result = run("lint", str(manifest), str(tmp_path / "nope.yaml"))
    assert result.exit_code == 2
    assert "nope.yaml: no such file or directory" in result.output
    assert "pod-field-in-container" in result.output


def test_kubernetes_version_forms_and_unsupported_version(tmp_path):
    pod = tmp_path / "pod.yaml"
    pod.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        "  resources: {limits: {cpu: '1'}}\n  containers: [{name: a, image: a:1}]\n"
    )
    assert run("lint", str(pod)).exit_code == 0
    for spelled in ("1.31", "v1.31", "1.31.4"):
        result = run("lint", str(pod), "--kubernetes-version", spelled)
        assert result.exit_code == 1, spelled
        assert "container-field-in-pod" in result.output
    unsupported = run("lint", str(pod), "--kubernetes-version", "1.12")
    assert unsupported.exit_code == 2
    assert "supported: 1.25" in unsupported.output


def test_fail_level_choices_are_checked(manifest):
    assert run("lint", str(manifest), "--fail-level", "fatal").exit_code == 2
    assert run("lint", str(manifest), "--fail-level", "error").exit_code == 1


def test_comment_and_annotation_suppression(tmp_path):
    by_comment = tmp_path / "comment.yaml"
    by_comment.write_text(
        NODE_SELECTOR_IN_CONTAINER.replace(
            "nodeSelector:", "nodeSelector:  # k8slint: disable=pod-field-in-container"
        )
    )
    by_next_line = tmp_path / "next.yaml"
    by_next_line.write_text(
        NODE_SELECTOR_IN_CONTAINER.replace(
            "          nodeSelector:",
            "          # k8slint: disable=pod-field-in-container\n          nodeSelector:",
        )
    )
    by_file = tmp_path / "file.yaml"
    by_file.write_text(
        "# k8slint: disable-file=pod-field-in-container\n" + NODE_SELECTOR_IN_CONTAINER
    )
    by_annotation = tmp_path / "annotation.yaml"
    by_annotation.write_text(
        NODE_SELECTOR_IN_CONTAINER.replace(
            "  name: web\n",
            "  name: web\n  annotations:\n    ignore.k8slint.io/pod-field-in-container: ok\n",
            1,
        )
    )
    for path in (by_comment, by_next_line, by_file, by_annotation):
        assert run("lint", str(path)).exit_code == 0, path.name


def test_unknown_rule_in_suppression_is_reported(tmp_path):
    path = tmp_path / "typo.yaml"
    path.write_text(
        NODE_SELECTOR_IN_CONTAINER.replace(
            "nodeSelector:", "nodeSelector:  # k8slint: disable=pod-field-in-contianer"
        )
    )
    result = run("lint", str(path))
    assert result.exit_code == 1
    assert "unknown rule id 'pod-field-in-contianer'" in result.output


def test_rules_lists_every_rule():
    result = run("rules")
    assert result.exit_code == 0
    assert "pod-field-in-container" in result.output
    rows = json.loads(run("rules", "--format", "json").output)
    assert {"id", "severity", "summary"} <= set(rows[0])


def test_explain_prints_why_and_both_examples():
    result = run("explain", "pod-field-in-container")
    assert result.exit_code == 0
    for section in ("What it does:", "Why:", "How to fix:", "Bad:", "Good:"):
        assert section in result.output
    assert run("explain", "pod-field").exit_code == 2


def test_real_process_lints_examples_and_reports_version(tmp_path):
    """The installed package, as a user runs it (rules must ship inside the wheel)."""
    command = [sys.executable, "-m", "k8slint"]
    version = subprocess.run([*command, "--version"], capture_output=True, text=True, cwd=tmp_path)
    assert version.returncode == 0 and "k8slint" in version.stdout
    lint = subprocess.run(
        [*command, "lint", str(REPO / "examples"), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert lint.returncode == 1, lint.stderr
    rules = {finding["rule"] for finding in json.loads(lint.stdout)["findings"]}
    assert "pod-field-in-container" in rules
    schema = subprocess.run(
        [*command, "config-schema"], capture_output=True, text=True, cwd=tmp_path
    )
    assert schema.returncode == 0 and json.loads(schema.stdout)["properties"]


def test_helm_chart_files_are_skipped_with_a_notice(tmp_path):
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 1.0.0\n")
    (chart / "crds").mkdir()
    (chart / "crds" / "bad.yaml").write_text("kind: Service\nmetadata: {name: s}\n")
    template = chart / "templates" / "deployment.yaml"
    template.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: {{ .Values.n }}\n"
    )
    # pre-commit names the template itself: skipped.
    named = run("lint", str(template))
    assert named.exit_code == 0 and "Helm template: skipped" in named.output
    # A directory walk skips the templates but still lints the chart's plain CRDs.
    walked = run("lint", str(tmp_path), "--format", "json")
    assert "Helm template: skipped" in walked.output
    assert "crds/bad.yaml" in walked.output and "templates/deployment" not in walked.output
