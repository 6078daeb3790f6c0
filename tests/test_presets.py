"""Presets: what each switches on, how a config and the command line choose them,
and the Pod Security presets against what the API server would do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from support import REPO, lint_text, shared

from k8slint.cli import cli
from k8slint.config.file import Config, ConfigError, RulePolicy, load_config
from k8slint.engine.registry import load_rules, rules_dir
from k8slint.presets import ALL_PRESET, DEFAULT_PRESET, expand, load_presets, presets_of

RECOMMENDED_ADDITIONS = {
    "pod-security-namespace",
    "container-privileged",
    "privilege-escalation-allowed",
    "runtime-socket-mounted",
    "host-path-sensitive-writable",
    "sysctl-unsafe",
    "env-secret-literal",
    "env-duplicate",
    "service-account-deprecated",
    "probe-port-unknown",
}
"""Rules that name their presets and are in `recommended`: everything else there
is a rule file without `presets:`, which today's rules are."""


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def _rule_file(rule_id: str) -> dict:
    return yaml.safe_load((Path(rules_dir()) / f"{rule_id}.yaml").read_text())


def test_every_preset_a_rule_names_exists_and_every_preset_has_rules():
    presets = load_presets()
    assert next(iter(presets)) == DEFAULT_PRESET and list(presets)[-1] == ALL_PRESET
    for rule in load_rules().values():
        assert set(rule.presets) <= set(presets), rule.id
    for name in presets:
        assert expand([name])[0], name


def test_recommended_is_todays_rules_plus_the_named_additions():
    without_field = {rule_id for rule_id in load_rules() if "presets" not in _rule_file(rule_id)}
    assert expand([])[0] == expand([DEFAULT_PRESET])[0] == without_field | RECOMMENDED_ADDITIONS
    assert expand([ALL_PRESET])[0] == set(load_rules())


def test_restricted_replaces_the_baseline_controls_it_tightens():
    baseline, _ = expand(["pod-security-baseline"])
    restricted, _ = expand(["pod-security-restricted"])
    assert {"pss-capabilities-baseline", "pss-seccomp-baseline", "pss-host-path-volumes"} <= (
        baseline - restricted
    )
    assert {"pss-run-as-non-root", "pss-volume-types", "pss-seccomp-restricted"} <= (
        restricted - baseline
    )
    assert "pss-host-namespaces" in baseline & restricted


def test_presets_of_lists_all_last():
    rule = load_rules()["pss-privileged"]
    assert presets_of(rule) == ("pod-security-baseline", "pod-security-restricted", "all")


def _policy(tmp_path: Path, text: str) -> RulePolicy:
    (tmp_path / ".k8slint.yaml").write_text(text)
    config = load_config(str(tmp_path / ".k8slint.yaml"), load_rules())
    return RulePolicy(config, list(load_rules()))


def test_config_extends_a_preset_instead_of_the_default(tmp_path):
    policy = _policy(tmp_path, "extends: [pod-security-restricted]\n")
    assert policy.rules_to_run() == expand(["pod-security-restricted"])[0]
    assert RulePolicy(Config(), list(load_rules())).rules_to_run() == expand([])[0]


def test_config_extends_presets_and_files_together(tmp_path):
    (tmp_path / "base.yaml").write_text("extends: rbac\nrules:\n  disable: [yaml-syntax]\n")
    policy = _policy(tmp_path, "extends: [./base.yaml, recommended]\n")
    assert policy.rules_to_run() == (expand(["rbac", "recommended"])[0] - {"yaml-syntax"})


def test_config_with_an_unknown_preset_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match=r"1:1: extends 'recomended': no such preset; did you"):
        _policy(tmp_path, "extends: recomended\n")


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {namespace}
spec:
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            runAsUser: 0
"""
RESTRICTED_NAMESPACE = """\
apiVersion: v1
kind: Namespace
metadata:
  name: shop
  labels:
    pod-security.kubernetes.io/{mode}: restricted
---
"""


def _lint_cli(tmp_path: Path, text: str, *options: str) -> list[dict]:
    path = tmp_path / "app.yaml"
    path.write_text(text)
    result = run("lint", str(path), "--format", "json", *options)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.output)["findings"]


def test_enforce_restricted_makes_a_root_deployment_an_error_naming_the_control(tmp_path):
    text = RESTRICTED_NAMESPACE.format(mode="enforce") + DEPLOYMENT.format(namespace="shop")
    findings = _lint_cli(tmp_path, text)
    root = [f for f in findings if "Running as Non-root user" in f["message"]]
    assert [(f["rule"], f["severity"], f["line"]) for f in root] == [
        ("pod-security-namespace", "error", 24)
    ]
    assert "pod-security.kubernetes.io/enforce=restricted" in root[0]["message"]
    assert "refuses the Pods of this Deployment" in root[0]["message"]
    assert {f["severity"] for f in findings if f["rule"] == "pod-security-namespace"} == {"error"}


def test_the_same_deployment_elsewhere_gets_nothing_from_pod_security_under_recommended(
    tmp_path,
):
    text = RESTRICTED_NAMESPACE.format(mode="enforce") + DEPLOYMENT.format(namespace="other")
    findings = _lint_cli(tmp_path, text)
    assert [f for f in findings if f["rule"].startswith(("pss-", "pod-security-"))] == []
    alone = _lint_cli(tmp_path, DEPLOYMENT.format(namespace="shop"))
    assert [f for f in alone if f["rule"].startswith(("pss-", "pod-security-"))] == []


@pytest.mark.parametrize("mode", ["warn", "audit"])
def test_warn_and_audit_labels_give_warnings(mode):
    text = RESTRICTED_NAMESPACE.format(mode=mode) + DEPLOYMENT.format(namespace="shop")
    findings = lint_text(text, ["pod-security-namespace"]).findings
    assert findings and {f.severity for f in findings} == {"warning"}
    assert all(f"{mode}=restricted" in f.message for f in findings)


def test_namespace_finding_replaces_the_preset_rules_finding_at_the_same_node(tmp_path):
    text = RESTRICTED_NAMESPACE.format(mode="enforce") + DEPLOYMENT.format(namespace="shop")
    findings = _lint_cli(tmp_path, text, "--preset", "pod-security-restricted")
    assert {f["rule"] for f in findings} == {"pod-security-namespace"}
    elsewhere = _lint_cli(tmp_path, DEPLOYMENT.format(namespace="other"), "--preset", "all")
    assert {f["rule"] for f in elsewhere if f["rule"].startswith("pss-")} == {
        "pss-run-as-non-root",
        "pss-run-as-user",
        "pss-seccomp-restricted",
        "pss-capabilities-restricted",
        "pss-privilege-escalation",
    }


def test_preset_option_chooses_and_rejects_unknown_names(tmp_path):
    findings = _lint_cli(tmp_path, DEPLOYMENT.format(namespace="x"), "--preset", "rbac")
    assert findings == []
    result = run("lint", str(tmp_path / "app.yaml"), "--preset", "strict")
    assert result.exit_code == 2
    assert "--preset: unknown preset 'strict' (presets: recommended," in result.output


def test_select_still_reaches_rules_outside_the_chosen_presets(tmp_path):
    findings = _lint_cli(tmp_path, DEPLOYMENT.format(namespace="x"), "--select", "pss-run-as-user")
    assert [(f["rule"], f["line"]) for f in findings] == [("pss-run-as-user", 17)]


def test_rules_command_shows_presets():
    table = run("rules").output.splitlines()
    row = next(line for line in table if line.startswith("pss-run-as-user "))
    assert row.split()[1:3] == ["warning", "pod-security-restricted"]
    rows = json.loads(run("rules", "--format", "json").output)
    by_id = {row["id"]: row for row in rows}
    assert by_id["schema"]["presets"] == ["recommended", "all"]


# --- the pod-security-restricted preset against polaris' own expectations --------

POLARIS_CHECKS = {
    "hostIPCSet": "pss-host-namespaces",
    "hostNetworkSet": "pss-host-namespaces",
    "hostPIDSet": "pss-host-namespaces",
    "hostPathSet": "pss-volume-types",
    "hostPortSet": "pss-host-ports",
    "hostProcess": "pss-host-process",
    "privilegeEscalationAllowed": "pss-privilege-escalation",
    "runAsPrivileged": "pss-privileged",
    "runAsRootAllowed": "pss-run-as-non-root,pss-run-as-user",
    "procMount": "pss-proc-mount-restricted",
    "dangerousCapabilities": "pss-capabilities-restricted",
    "insecureCapabilities": "pss-capabilities-restricted",
    "linuxHardening": "pss-seccomp-restricted,pss-capabilities-restricted,pss-apparmor,pss-selinux",
}
"""Each polaris check that the Restricted level covers, and the rules of the control(s)."""

DISAGREEMENTS = {
    # Restricted requires `drop: [ALL]` on every container; these pass polaris,
    # which only looks for dangerous capabilities being added.
    "dangerousCapabilities/success.yaml",
    # Dropping each default capability by name (in any case) is not `ALL`:
    # PodSecurity admission looks for the literal "ALL".
    "insecureCapabilities/success.all.yaml",
    "insecureCapabilities/success.case.yaml",
    "insecureCapabilities/success.pod.yaml",
    "insecureCapabilities/success.yaml",
    # polaris passes a pod with any one hardening (seccomp, AppArmor, SELinux or
    # dropped capabilities); Restricted requires a seccomp profile and drop ALL.
    "linuxHardening/success.apparmor_2_containers.yaml",
    "linuxHardening/success.drop_capabilities.yaml",
    "linuxHardening/success.seccomp_profile_container.yaml",
    "linuxHardening/success.seccomp_profile_pod.yaml",
    "linuxHardening/success.selinux_container.yaml",
    "linuxHardening/success.selinux_pod.yaml",
    # The Pod sets seccomp Unconfined: admission refuses it ("pod must not set
    # ...") even though the one container sets RuntimeDefault.
    "linuxHardening/success.seccomp_profile_unconfined_for_pod_but_set_for_container.yaml",
}


def _polaris_cases() -> list[tuple[str, str]]:
    """Every success and failure file of the covered checks (not the mutated ones)."""
    polaris = shared("peer-suites", "polaris")
    return [
        (check, path.name)
        for check in POLARIS_CHECKS
        for path in sorted((polaris / check).glob("*.yaml"))
        if not path.name.startswith("mutated")
    ]


def test_polaris_cases_are_all_there():
    assert len(_polaris_cases()) == 60


@pytest.mark.parametrize(("check", "name"), _polaris_cases())
def test_restricted_preset_agrees_with_polaris(check, name):
    path = shared("peer-suites", "polaris", check, name)
    result = run(
        "lint",
        str(path),
        "--preset",
        "pod-security-restricted",
        "--select",
        POLARIS_CHECKS[check],
        "--format",
        "json",
    )
    fired = bool(json.loads(result.output)["findings"])
    polaris_fails = "failure" in name
    if f"{check}/{name}" in DISAGREEMENTS:
        assert fired and not polaris_fails
    else:
        assert fired == polaris_fails


def test_readme_explains_presets():
    readme = (REPO / "README.md").read_text()
    assert "## Presets" in readme
    for name in load_presets():
        assert f"`{name}`" in readme


def test_annotation_and_comment_suppress_the_new_rules():
    """Suppression works for the namespace rule (run scope) as for every rule."""
    annotated = DEPLOYMENT.format(namespace="shop").replace(
        "  namespace: shop\n",
        "  namespace: shop\n  annotations:\n"
        '    ignore.k8slint.io/pod-security-namespace: "legacy"\n',
    )
    text = RESTRICTED_NAMESPACE.format(mode="enforce") + annotated
    assert lint_text(text, ["pod-security-namespace"]).findings == []
    commented = DEPLOYMENT.format(namespace="x").replace(
        "runAsUser: 0", "runAsUser: 0  # k8slint: disable=pss-run-as-user"
    )
    assert lint_text(commented, ["pss-run-as-user"]).findings == []
    assert len(lint_text(DEPLOYMENT.format(namespace="x"), ["pss-run-as-user"]).findings) == 1
