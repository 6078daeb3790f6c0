"""Adopting k8slint with a baseline: only new findings fail the run."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from k8slint.cli import cli

MISPLACED = ("nodeSelector: {disktype: ssd}", "hostNetwork: true", "serviceAccountName: app")


def deployment(name: str, fields: tuple[str, ...]) -> str:
    lines = "".join(f"          {field}\n" for field in fields)
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
      containers:
        - name: app
          image: nginx:1.27
{lines}        - name: sidecar
          image: envoy:1.30
          priorityClassName: high
"""


def run(*args: str, cwd=None):
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(cli, list(args))
    finally:
        os.chdir(old)


@pytest.fixture
def repo(tmp_path):
    """A repository with 40 findings: 10 files, 4 misplaced Pod fields in each."""
    for number in range(10):
        path = tmp_path / "deploy" / f"app{number}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(deployment(f"app{number}", MISPLACED))
    return tmp_path


def test_adopting_a_baseline_then_failing_only_on_the_new_mistake(repo):
    before = run("lint", "deploy", "--format", "json", cwd=repo)
    assert len(json.loads(before.stdout)["findings"]) == 40
    assert before.exit_code == 1

    written = run("lint", "deploy", "--write-baseline", "k8slint-baseline.json", cwd=repo)
    assert written.exit_code == 0
    assert "recorded 40 findings in k8slint-baseline.json" in written.stderr

    adopted = run("lint", "deploy", "--baseline", "k8slint-baseline.json", cwd=repo)
    assert adopted.exit_code == 0
    assert adopted.stdout == (
        "No problems found (10 files, 10 objects). 40 known problems in the baseline not shown.\n"
    )

    # Edits above old findings move their lines: they stay known.
    moved = repo / "deploy" / "app3.yaml"
    moved.write_text("# owned by the shop team\n\n" + moved.read_text())
    assert run("lint", "deploy", "--baseline", "k8slint-baseline.json", cwd=repo).exit_code == 0

    # One new mistake: exit 1, and only it is reported.
    mistake = repo / "deploy" / "app5.yaml"
    mistake.write_text(deployment("app5", (*MISPLACED, "tolerations: []")))
    result = run(
        "lint", "deploy", "--baseline", "k8slint-baseline.json", "--format", "json", cwd=repo
    )
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert [(f["file"], f["line"], f["rule"]) for f in document["findings"]] == [
        ("deploy/app5.yaml", 18, "pod-field-in-container")
    ]
    assert "tolerations" in document["findings"][0]["message"]
    assert document["summary"]["baseline"] == {
        "file": "k8slint-baseline.json",
        "matched": 40,
        "stale": 0,
    }


def test_fixed_findings_are_counted_as_stale(repo):
    run("lint", str(repo), "--write-baseline", str(repo / "baseline.json"))
    fixed = repo / "deploy" / "app0.yaml"
    fixed.write_text(deployment("app0", MISPLACED[:1]))  # two of four fixed
    result = run("lint", str(repo), "--baseline", str(repo / "baseline.json"))
    assert result.exit_code == 0
    assert result.stdout.endswith(
        "38 known problems in the baseline not shown; 2 baseline entries no longer found "
        "(fixed: rerun with --write-baseline to drop them).\n"
    )


def test_a_partial_run_does_not_call_unlinted_entries_stale(repo):
    """Pre-commit lints changed files only: entries of other files are not stale."""
    run("lint", "deploy", "--write-baseline", "baseline.json", cwd=repo)
    result = run(
        "lint", "deploy/app1.yaml", "--baseline", "baseline.json", "--format", "json", cwd=repo
    )
    assert json.loads(result.stdout)["summary"]["baseline"]["stale"] == 0
    ignored = run(
        "lint", "deploy", "--baseline", "baseline.json", "--ignore", "pod-*", "--format", "json",
        cwd=repo,
    )  # fmt: skip
    assert json.loads(ignored.stdout)["summary"]["baseline"]["stale"] == 0
    (repo / ".k8slint.yaml").write_text(
        "overrides:\n  - files: [app2.yaml]\n    rules: {disable: [pod-field-in-container]}\n"
    )
    switched_off = run(
        "lint", "deploy", "--baseline", "baseline.json", "--format", "json", cwd=repo
    )
    assert json.loads(switched_off.stdout)["summary"]["baseline"] == {
        "file": "baseline.json", "matched": 36, "stale": 0
    }  # fmt: skip


def test_baseline_works_from_another_directory(repo):
    run("lint", "deploy", "--write-baseline", "baseline.json", cwd=repo)
    result = run("lint", ".", "--baseline", "../baseline.json", cwd=repo / "deploy")
    assert result.exit_code == 0


def test_identical_findings_are_counted_not_collapsed(repo, tmp_path_factory):
    """Two identical objects in one file give two identical keys: one baselined
    occurrence must not hide a second, new one."""
    work = tmp_path_factory.mktemp("dupes")
    path = work / "twice.yaml"
    path.write_text(deployment("same", MISPLACED[:1]))
    run("lint", "twice.yaml", "--write-baseline", "baseline.json", cwd=work)
    entries = json.loads((work / "baseline.json").read_text())["findings"]
    assert len(entries) == 2 and "count" not in entries[0]
    path.write_text(deployment("same", MISPLACED[:1]) + "---\n" + deployment("same", MISPLACED[:1]))
    result = run("lint", "twice.yaml", "--baseline", "baseline.json", "--format", "json", cwd=work)
    assert result.exit_code == 1
    assert len(json.loads(result.stdout)["findings"]) == 2


def test_baseline_file_is_readable_and_line_free(repo):
    run("lint", "deploy", "--write-baseline", "baseline.json", cwd=repo)
    document = json.loads((repo / "baseline.json").read_text())
    assert document["k8slint-baseline"] == 2
    entry = document["findings"][0]
    assert set(entry) == {"rule", "file", "object", "path", "message"}
    assert entry["file"] == "deploy/app0.yaml"
    assert entry["object"] == "Deployment//app0"


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        '{"findings": []}',
        '{"k8slint-baseline": 3, "findings": []}',
        '{"k8slint-baseline": 1, "findings": 3}',
        '{"k8slint-baseline": 1, "findings": [{}]}',
        '{"k8slint-baseline": 1, "findings": ["x"]}',
    ],
)
def test_unusable_baseline_exits_2(tmp_path, content):
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content)
    result = run("lint", str(tmp_path), "--baseline", str(baseline))
    assert result.exit_code == 2
    assert str(baseline) in result.stderr


def test_missing_baseline_exits_2(tmp_path):
    result = run("lint", str(tmp_path), "--baseline", str(tmp_path / "nope.json"))
    assert result.exit_code == 2
    assert "cannot read baseline" in result.stderr


def test_an_older_baseline_still_matches_and_says_so(repo):
    """Format 1 kept whole messages; its entries match without them."""
    run("lint", "deploy", "--write-baseline", "baseline.json", cwd=repo)
    document = json.loads((repo / "baseline.json").read_text())
    document["k8slint-baseline"] = 1
    for entry in document["findings"]:
        entry["message"] = "worded as an older k8slint worded it"
    (repo / "baseline.json").write_text(json.dumps(document))
    result = run("lint", "deploy", "--baseline", "baseline.json", cwd=repo)
    assert result.exit_code == 0, result.output
    assert "older baseline format" in result.stderr


SERVICE = """\
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: http}]
"""

WORKLOAD = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: NAME}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.27, ports: [{containerPort: 80, name: web}]}]
"""


def test_a_cross_object_finding_survives_an_edit_of_the_object_it_quotes(tmp_path):
    """The Service's finding names the Deployment; renaming that Deployment changes
    the message but not the finding, so the baseline still holds it."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "service.yaml").write_text(SERVICE)
    workload = tmp_path / "app" / "deployment.yaml"
    workload.write_text(WORKLOAD.replace("NAME", "web"))
    args = ("--select", "service-target-port-unknown", "--format", "json")
    before = json.loads(run("lint", "app", *args, cwd=tmp_path).stdout)["findings"]
    assert [f["rule"] for f in before] == ["service-target-port-unknown"]
    run(
        "lint",
        "app",
        "--select",
        "service-target-port-unknown",
        "--write-baseline",
        "b.json",
        cwd=tmp_path,
    )
    workload.write_text(WORKLOAD.replace("NAME", "web-v2"))
    after = json.loads(run("lint", "app", *args, cwd=tmp_path).stdout)["findings"]
    assert after[0]["message"] != before[0]["message"]
    kept = run("lint", "app", *args, "--baseline", "b.json", cwd=tmp_path)
    assert kept.exit_code == 0 and json.loads(kept.stdout)["findings"] == []
