"""The schema rule: every error at its own line, actionable messages, de-duplication
against the specific rules, strictness and the target version."""

from __future__ import annotations

from click.testing import CliRunner
from support import FIXTURES, lint_paths, lint_text, web_pod

from k8slint.cli import cli

THREE_MISTAKES = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: "3"
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          imagePullpolicy: Always
          env:
            - name: DEBUG
              value: yes
"""


def _schema(text: str, **options) -> list:
    return lint_text(text, ["schema"], **options).findings


def test_three_mistakes_give_three_findings_at_three_lines():
    findings = _schema(THREE_MISTAKES)
    assert [(f.line, f.column) for f in findings] == [(6, 3), (16, 11), (19, 15)]
    replicas, unknown, boolean = (f.message for f in findings)
    assert replicas.startswith('spec.replicas: expected integer, got string "3"')
    assert 'unknown field "imagePullpolicy"' in unknown
    assert 'did you mean "imagePullPolicy"?' in unknown
    assert "got boolean true" in boolean and "YAML 1.1" in boolean and "quote" in boolean


def test_missing_required_field_points_at_the_parent_mapping():
    text = THREE_MISTAKES.replace("  selector:\n    matchLabels: {app: web}\n", "")
    missing = [f for f in _schema(text) if "required" in f.message]
    assert len(missing) == 1
    assert (missing[0].line, missing[0].path) == (5, ("spec", "selector"))
    assert 'missing required field "selector" in spec' in missing[0].message


def test_enum_lists_the_allowed_values():
    from k8slint.kube.validators import ErrorTranslator, new_validator
    from k8slint.model import Problem

    validator = new_validator({"properties": {"mode": {"enum": ["Strict", "Permissive"]}}})
    (problem,) = ErrorTranslator(None).problems(validator.iter_errors({"mode": "strict"}))
    assert problem == Problem(("mode",), 'mode: string "strict" is not one of: Strict, Permissive')


MISPLACED = web_pod("nodeSelector: {disktype: ssd}")


def test_unknown_field_explained_by_a_specific_rule_is_not_repeated():
    both = lint_text(MISPLACED, ["schema", "pod-field-in-container"]).findings
    assert [(f.line, f.rule) for f in both] == [(9, "pod-field-in-container")]


def test_unknown_field_is_reported_when_the_specific_rule_is_disabled():
    alone = _schema(MISPLACED)
    assert [(f.line, f.rule) for f in alone] == [(9, "schema")]
    assert 'unknown field "nodeSelector" in a Container' in alone[0].message


def test_a_suppressed_explanation_still_explains():
    silenced = MISPLACED.replace(
        "nodeSelector: {disktype: ssd}",
        "nodeSelector: {disktype: ssd}  # k8slint: disable=pod-field-in-container",
    )
    assert lint_text(silenced, ["schema", "pod-field-in-container"]).findings == []


def test_no_strict_allows_unknown_fields_but_not_wrong_types():
    findings = _schema(THREE_MISTAKES, strict=False)
    assert [f.line for f in findings] == [6, 19]


def test_no_strict_on_the_command_line():
    runner = CliRunner()
    strict = runner.invoke(cli, ["lint", "--select", "schema", "-"], input=MISPLACED)
    lenient = runner.invoke(
        cli, ["lint", "--select", "schema", "--no-strict", "-"], input=MISPLACED
    )
    assert strict.exit_code == 1 and "nodeSelector" in strict.output
    assert lenient.exit_code == 0, lenient.output


SIDECAR = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  initContainers:
    - name: proxy
      image: envoy:1.31
      restartPolicy: Always
  containers:
    - name: web
      image: nginx:1.27
"""


def test_the_target_version_decides_which_fields_exist():
    assert _schema(SIDECAR, version=(1, 37)) == []
    (old,) = _schema(SIDECAR, version=(1, 25))
    assert old.line == 9 and 'unknown field "restartPolicy"' in old.message
    assert "exists only from Kubernetes 1.28 (the target is 1.25)" in old.message


def test_a_kind_the_target_does_not_serve_is_left_to_other_rules():
    text = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: x}\nspec: {}\n"
    assert _schema(text, version=(1, 37)) == []


def test_a_one_file_lint_reads_only_what_its_kinds_need():
    """Pre-commit lints a file or two: one definitions file, one kind schema, no other
    version (checked in a fresh interpreter, where no test has filled the caches)."""
    import subprocess
    import sys

    from support import REPO

    script = (
        f"import sys; sys.path[:0] = [{str(REPO)!r}, {str(REPO / 'tests')!r}]\n"
        "from support import lint_text\n"
        "from k8slint.kube import openapi as apischema\n"
        "text = 'apiVersion: v1\\nkind: ConfigMap\\nmetadata: {name: x}\\ndata: {a: b}\\n'\n"
        "assert lint_text(text, ['schema', 'api-deprecated']).findings == []\n"
        "print(apischema._definitions.cache_info().currsize,"
        " apischema._read_kind_file.cache_info().currsize)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO / "tests",
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split() == ["1", "1"]


def test_a_missing_selector_is_reported_once_by_the_specific_rule():
    result = lint_paths([str(FIXTURES / "schema--kustomize-inputs" / "plain")])
    assert [(f.rule, f.line) for f in result.findings] == [("selector-missing", 6)]
    alone = lint_paths([str(FIXTURES / "schema--kustomize-inputs" / "plain")], ["schema"])
    assert [(f.rule, f.line) for f in alone.findings] == [("schema", 6)]
