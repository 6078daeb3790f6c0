"""`lint --fix`, `--diff` and `--unsafe-fixes`: what they change, and everything they keep."""

from __future__ import annotations

import difflib
import json
import os
import shutil
import stat
from collections import Counter

import pytest
from click.testing import CliRunner
from support import FIXTURES, REPO, lint_paths

from k8slint.cli import cli
from k8slint.fix.merge import carry_over
from k8slint.kube import edits as plain
from k8slint.kube.migrations import MIGRATIONS, migration
from k8slint.kube.openapi import newest_version
from k8slint.kube.validators import builtin_validator
from k8slint.model import Edit

COMMENTED = """\
# A Deployment whose fields sit at the wrong level, with comments everywhere.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web  # the name
spec:
  # how many
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels:
        app: web  # label
    spec:
      # the containers
      containers:
        - name: web
          image: "nginx:1.27"   # quoted on purpose
          # Meant for the Pod: schedule on SSD nodes.
          nodeSelector:
            disktype: ssd  # fast disks
          # probes follow
          readinessProbe:
            httpGet: {path: /healthz, port: 8080}

      # volumes of the pod
      volumes: []
---
# the Service
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
"""


def run(*args: str, stdin: str | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


@pytest.fixture
def commented(tmp_path):
    path = tmp_path / "web.yaml"
    path.write_text(COMMENTED)
    return path


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    removed, added = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            removed.append(line[2:])
        elif line.startswith("+ "):
            added.append(line[2:])
    return removed, added


def test_fix_moves_the_field_and_changes_no_other_line(commented):
    result = run("lint", "--fix", "--select", "pod-field-in-container", str(commented))
    assert result.exit_code == 0, result.output
    after = commented.read_text()
    removed, added = _changed_lines(COMMENTED, after)
    moved = [
        "          # Meant for the Pod: schedule on SSD nodes.",
        "          nodeSelector:",
        "            disktype: ssd  # fast disks",
    ]
    assert removed == moved
    assert added == [line[4:] for line in moved]  # the same lines, one level up
    assert after.index("      nodeSelector:") > after.index("        - name: web")
    assert after.index("      nodeSelector:") < after.index("      # volumes of the pod")


def test_second_fix_changes_nothing_and_the_rule_is_silent(commented):
    assert run("lint", "--fix", str(commented)).exit_code in (0, 1)
    once = commented.read_text()
    again = run("lint", "--diff", str(commented))
    assert again.exit_code == 0 and again.output == ""
    assert commented.read_text() == once
    remaining = lint_paths([str(commented)], ["pod-field-in-container"])
    assert remaining.findings == []


def test_diff_writes_nothing_and_exits_1(commented):
    result = run("lint", "--diff", str(commented))
    assert result.exit_code == 1
    assert result.output.startswith(f"--- {commented}\n+++ {commented}\n")  # absolute: no a/ b/
    assert "+      nodeSelector:" in result.output
    assert commented.read_text() == COMMENTED


def test_suppressed_finding_is_not_fixed(tmp_path):
    path = tmp_path / "web.yaml"
    text = COMMENTED.replace(
        "          nodeSelector:",
        "          nodeSelector:  # k8slint: disable=pod-field-in-container",
    )
    path.write_text(text)
    run("lint", "--fix", "--select", "pod-field-in-container", str(path))
    assert path.read_text() == text


def test_context_files_are_never_written(tmp_path, commented):
    linted = tmp_path / "svc.yaml"
    linted.write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec:\n  ports: [{port: 1}]\n"
    )
    run("lint", "--fix", "--context", str(commented), str(linted))
    assert commented.read_text() == COMMENTED


def test_stdin_fix_writes_the_fixed_text_to_stdout():
    result = run("lint", "--fix", "--select", "pod-field-in-container", "-", stdin=COMMENTED)
    assert result.exit_code == 0
    assert result.stdout.startswith("# A Deployment")
    assert "      nodeSelector:\n        disktype: ssd  # fast disks\n" in result.stdout


def test_crlf_bom_and_file_mode_survive(tmp_path):
    path = tmp_path / "web.yaml"
    original = ("\ufeff" + COMMENTED).replace("\n", "\r\n").encode("utf-8")
    path.write_bytes(original)
    os.chmod(path, 0o640)
    run("lint", "--fix", "--select", "pod-field-in-container", str(path))
    raw = path.read_bytes()
    assert raw != original
    assert raw.startswith(b"\xef\xbb\xbf")
    assert raw.count(b"\r\n") == raw.count(b"\n")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["web.yaml"]  # no temporary left


def test_json_stays_json(tmp_path):
    data = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "hostNetwork": True}]},
    }
    path = tmp_path / "pod.json"
    path.write_text(json.dumps(data, indent=4) + "\n")
    run("lint", "--fix", str(path))
    fixed = json.loads(path.read_text())
    assert fixed["spec"]["hostNetwork"] is True
    assert "hostNetwork" not in fixed["spec"]["containers"][0]
    assert path.read_text().startswith('{\n    "apiVersion"')


def test_refused_when_the_target_holds_another_value(tmp_path):
    path = tmp_path / "pod.yaml"
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  hostNetwork: false\n"
        "  containers:\n  - name: c\n    image: nginx:1.27\n    hostNetwork: true\n"
    )
    path.write_text(text)
    result = run("lint", "--fix", "--select", "pod-field-in-container", str(path))
    assert path.read_text() == text
    assert "not fixed automatically: spec.hostNetwork already holds a different value" in (
        result.output
    )


def test_refused_when_several_containers_could_take_it(tmp_path):
    path = tmp_path / "pod.yaml"
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  imagePullPolicy: Always\n"
        "  containers:\n  - name: a\n    image: a:1\n  - name: b\n    image: b:1\n"
    )
    path.write_text(text)
    result = run("lint", "--fix", "--select", "container-field-in-pod", str(path))
    assert path.read_text() == text
    assert "not fixed automatically: the PodSpec has several containers" in result.output


def test_json_report_says_fixable_and_which_kind(commented):
    result = run("lint", "--format", "json", str(commented))
    findings = json.loads(result.output)["findings"]
    placed = [f for f in findings if f["rule"] == "pod-field-in-container"]
    assert placed and all(f["fixable"] is True and f["fix"] == "safe" for f in placed)


TYPO = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: c
    image: nginx:1.27
    imagePullPolicyy: Always  # typo
"""


def test_unsafe_fix_only_with_unsafe_fixes(tmp_path):
    path = tmp_path / "pod.yaml"
    path.write_text(TYPO)
    assert run("lint", "--fix", str(path)).exit_code == 1
    assert path.read_text() == TYPO
    run("lint", "--fix", "--unsafe-fixes", str(path))
    assert path.read_text() == TYPO.replace("imagePullPolicyy", "imagePullPolicy")


MIGRATE = (REPO / "tests" / "data" / "fix-migrations.yaml").read_text()


def test_migrations_rewrite_and_validate_at_the_default_version(tmp_path):
    path = tmp_path / "old.yaml"
    path.write_text(MIGRATE)
    run("lint", "--fix", str(path))
    after = path.read_text()
    remaining = lint_paths([str(path)], ["api-deprecated", "schema", "selector-missing"])
    assert [(f.rule, f.line) for f in remaining.findings] == []
    _, added = _changed_lines(MIGRATE, after)
    assert all("#" not in line or "# fallback" in line or "# percent" in line for line in added)
    assert after.count("#") == MIGRATE.count("#")  # every comment kept


@pytest.mark.parametrize("key", sorted(MIGRATIONS), ids=lambda key: f"{key[0]}-{key[1]}")
def test_every_migration_names_a_served_target(key):
    target, _ = MIGRATIONS[key]
    assert builtin_validator(newest_version(), True, target, key[1]) is not None


def test_pdb_with_an_empty_selector_is_not_migrated():
    data = {"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget", "spec": {"selector": {}}}
    assert migration("policy/v1beta1", "PodDisruptionBudget", data) is None


def _fixture_paths() -> list[str]:
    return sorted(str(p) for p in FIXTURES.iterdir())


@pytest.mark.parametrize("fixture", _fixture_paths(), ids=os.path.basename)
def test_fix_is_idempotent_on_every_fixture(tmp_path, fixture):
    copy = tmp_path / os.path.basename(fixture)
    if os.path.isdir(fixture):
        shutil.copytree(fixture, copy)
    else:
        shutil.copy(fixture, copy)
    run("lint", "--fix", "--unsafe-fixes", str(copy))
    second = run("lint", "--diff", "--unsafe-fixes", "--quiet", str(copy))
    assert second.output == "" and second.exit_code == 0, second.output


def test_examples_are_fixed_with_their_comments(tmp_path):
    copy = tmp_path / "examples"
    shutil.copytree(REPO / "examples", copy)
    before = {p: p.read_text() for p in copy.rglob("*.yaml")}
    run("lint", "--fix", str(copy))
    placement = [
        "pod-field-in-container",
        "container-field-in-pod",
        "pod-security-field-in-container",
        "container-security-field-in-pod",
        "pod-spec-misplaced",
    ]
    assert lint_paths([str(copy)], placement).findings == []
    for path, text in before.items():
        comments = [line.strip() for line in text.splitlines() if line.strip().startswith("#")]
        after = [line.strip() for line in path.read_text().splitlines()]
        assert all(comment in after for comment in comments), path


def test_carry_over_keeps_lines_the_serialiser_normalised():
    original = ["a:   1\n", "b: 2\n", "c: 3\n"]
    before = ["a: 1\n", "b: 2\n", "c: 3\n"]
    after = ["a: 1\n", "c: 3\n", "b: 2\n"]
    assert carry_over(original, before, after) == ["a:   1\n", "c: 3\n", "b: 2\n"]


def test_plain_move_prunes_emptied_mappings_but_not_the_target_path():
    data = {"spec": {"a": {"x": 1}}}
    plain.apply(data, [Edit("move", ("spec", "a", "x"), ("spec", "y"))])
    assert data == {"spec": {"y": 1}}
    data = {"b": {"serviceName": "s"}}
    plain.apply(data, [Edit("move", ("b", "serviceName"), ("b", "service", "name"))])
    assert data == {"b": {"service": {"name": "s"}}}


def test_sarif_results_carry_the_fix_as_line_replacements(commented):
    result = run("lint", "--format", "sarif", "--select", "pod-field-in-container", str(commented))
    (found,) = json.loads(result.output)["runs"][0]["results"]
    (fix,) = found["fixes"]
    (change,) = fix["artifactChanges"]
    regions = [
        (
            r["deletedRegion"]["startLine"],
            r["deletedRegion"]["endLine"],
            r["insertedContent"]["text"],
        )
        for r in change["replacements"]
    ]
    assert regions == [
        (20, 23, ""),
        (
            26,
            26,
            "      # Meant for the Pod: schedule on SSD nodes.\n      nodeSelector:\n"
            "        disktype: ssd  # fast disks\n",
        ),
    ]


SEVERAL_FIXES = (
    FIXTURES / "pod-spec-misplaced.yaml",
    FIXTURES / "selector-template-mismatch.yaml",
    REPO / "examples" / "shop" / "web.yaml",
)
"""Files with several fixable findings, comments among them (the examples)."""


def test_each_fix_alone_on_one_loaded_file_is_the_fix_on_the_file_loaded_again(monkeypatch):
    """SARIF shows every fix alone; a file's round-trip tree is loaded once and each
    fix edits a pickled copy of it (copy.deepcopy would drop comments): each fix
    gives what it gives on a fresh load of the file."""
    from k8slint.fix.apply import LinePreviews
    from k8slint.fix.rewrite import _LoadedYaml

    result = lint_paths([str(path) for path in SEVERAL_FIXES], None)
    fixable = [finding for finding in result.findings if finding.fix is not None]
    shared = LinePreviews()
    once = [shared.of(finding.file, finding.fix) for finding in fixable]
    monkeypatch.setattr(_LoadedYaml, "_copy", _LoadedYaml._load)
    fresh = [LinePreviews().of(finding.file, finding.fix) for finding in fixable]
    assert once == fresh
    changed = Counter(f.file for f, changes in zip(fixable, once, strict=True) if changes)
    assert sorted(changed.values()) == [3, 3, 6]


def _rules_with_fixes():
    from k8slint.engine.registry import load_rules

    return [rule for rule in load_rules().values() if rule.fixes]


@pytest.mark.parametrize("rule", _rules_with_fixes(), ids=lambda rule: rule.id)
def test_each_rule_with_fixes_fixes_its_bad_example(tmp_path, rule):
    path = tmp_path / "bad.yaml"
    path.write_text(rule.examples["bad"])
    version = ["--kubernetes-version", rule.examples_version] if rule.examples_version else []
    unsafe = ["--unsafe-fixes"] if "unsafe" in rule.fixes else []
    run("lint", "--fix", *unsafe, *version, "--select", rule.id, str(path))
    assert path.read_text() != rule.examples["bad"]
    left = run("lint", "--format", "json", *version, "--select", rule.id, str(path))
    assert [f["message"] for f in json.loads(left.output)["findings"] if f["fixable"]] == []


def test_list_items_flow_sources_and_passes_that_wait_for_each_other(tmp_path):
    """Items of a `kind: List`; a field out of a flow mapping; the second container's
    copy of a field removed in the pass after the first copy moved; a third copy
    with another value refused."""
    path = tmp_path / "list.yaml"
    path.write_text((REPO / "tests" / "data" / "fix-list.yaml").read_text())
    result = run("lint", "--fix", str(path))
    after = path.read_text()
    assert "    securityContext:\n      fsGroup: 2000\n    containers:" in after
    assert "      securityContext: {runAsNonRoot: true}" in after
    assert after.count("nodeSelector") == 1 and "    nodeSelector: {disk: ssd}\n" in after
    assert "    hostNetwork: true\n" in after and "      hostNetwork: false\n" in after
    assert "spec.hostNetwork already holds a different value" in result.output
    assert run("lint", "--diff", "--quiet", str(path)).output == ""


def test_no_rename_that_would_trade_an_unknown_field_for_a_type_error(tmp_path):
    path = tmp_path / "role.yaml"
    rule = (
        "rules:\n- apiGroups: ['']\n  resources: [pods]\n  verbs: [get]\n  resourceName: {name}\n"
    )
    head = "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\n"
    path.write_text(head + rule.format(name="[web]"))
    listed = json.loads(run("lint", "--format", "json", str(path)).output)["findings"]
    assert [(f["rule"], f["fixable"]) for f in listed] == [("schema", True)]
    path.write_text(head + rule.format(name="web"))
    single = json.loads(run("lint", "--format", "json", str(path)).output)["findings"]
    assert [(f["rule"], f["fixable"]) for f in single] == [("schema", False)]


def test_readme_shows_the_real_diff_of_the_examples(monkeypatch):
    monkeypatch.chdir(REPO)
    shown = (REPO / "README.md").read_text().split("$ k8slint lint --diff examples/\n")[1]
    shown = shown.split(" ...\n")[0]
    assert run("lint", "--diff", "--quiet", "examples/").output.startswith(shown)
    assert (REPO / "examples" / "shop" / "web.yaml").read_text().count("nodeSelector") == 1


def test_rules_json_lists_each_rules_fix_kinds():
    rows = {row["id"]: row["fixes"] for row in json.loads(run("rules", "--format", "json").output)}
    assert rows["pod-field-in-container"] == ["safe"]
    assert rows["schema"] == ["unsafe"]
    assert rows["host-port"] == []


@pytest.mark.parametrize(
    ("limited", "expected"),
    [
        ({"assuredConcurrencyShares": 5}, {"nominalConcurrencyShares": 5}),
        ({"assuredConcurrencyShares": 0}, None),
        ({"nominalConcurrencyShares": 0}, None),
    ],
)
def test_priority_level_shares_are_renamed_but_an_explicit_zero_is_not_migrated(limited, expected):
    api = "flowcontrol.apiserver.k8s.io/v1beta2"
    data = {"apiVersion": api, "kind": "PriorityLevelConfiguration", "spec": {"limited": limited}}
    found = migration(api, "PriorityLevelConfiguration", data)
    if expected is None:
        assert found is None
        return
    assert found is not None
    plain.apply(data, found[1])
    assert data["spec"]["limited"] == expected
    assert data["apiVersion"] == "flowcontrol.apiserver.k8s.io/v1"
