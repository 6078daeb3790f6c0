"""`.k8slint.yaml` / `[tool.k8slint]`: discovery, every setting, and precise errors."""

from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner
from jsonschema import Draft7Validator
from support import web_deployment

from k8slint.cli import cli
from k8slint.config.file import Config, ConfigError, Glob, RulePolicy, find_config, load_config
from k8slint.engine.registry import load_rules

WEB = web_deployment("nodeSelector: {disktype: ssd}")

ROLLOUT = """\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          nodeSelector: {disktype: ssd}
"""

POD_RESOURCES = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  resources: {limits: {cpu: '1'}}
  containers: [{name: a, image: a:1}]
"""


def run(*args: str, cwd=None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(cli, list(args))
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(cli, list(args))
    finally:
        os.chdir(old)


def rules_found(*args: str, cwd=None) -> list[str]:
    """The rule of each finding of a `lint ... --format json` run (exit 0 or 1)."""
    result = run("lint", *args, "--format", "json", cwd=cwd)
    assert result.exit_code in (0, 1), result.output
    return [f["rule"] for f in json.loads(result.stdout)["findings"]]


PLACED = ["pod-field-in-container"]
"""What WEB gets with every rule on: its misplaced nodeSelector, once."""


def findings(result) -> list[tuple[str, str, int]]:
    document = json.loads(result.stdout)
    return [(f["rule"], f["severity"], f["line"]) for f in document["findings"]]


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "web.yaml").write_text(WEB)
    return tmp_path


def write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_config_is_found_upward_from_the_linted_paths(repo):
    assert rules_found(str(repo / "deploy")) == PLACED
    write(repo / ".k8slint.yaml", "rules:\n  disable: [pod-field-in-container, schema]\n")
    assert rules_found(str(repo / "deploy")) == []
    assert rules_found(str(repo / "deploy" / "web.yaml")) == []
    assert rules_found(cwd=repo / "deploy") == []
    assert find_config([str(repo / "deploy")]) == str(repo / ".k8slint.yaml")


def test_explicit_config_file(repo, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("cfg") / "strict.yaml"
    write(elsewhere, "rules:\n  severity: {pod-field-in-container: info}\n")
    result = run("lint", str(repo), "--config", str(elsewhere), "--format", "json")
    assert result.exit_code == 0  # info is below the default fail level
    assert findings(result) == [("pod-field-in-container", "info", 15)]


def test_pyproject_table(repo):
    pyproject = '[project]\nname = "x"\n\n[tool.k8slint]\nexclude = ["deploy"]\n'
    write(repo / "pyproject.toml", pyproject)
    assert find_config([str(repo)]) == str(repo / "pyproject.toml")
    result = run("lint", str(repo))
    assert result.exit_code == 0
    assert "No problems found (0 files" in result.stdout


def test_pyproject_without_table_is_passed_over(repo):
    write(repo / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config([str(repo)]) != str(repo / "pyproject.toml")


def test_pyproject_error_names_the_line(repo):
    write(
        repo / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.k8slint]\nexclude = ["a"]\n\n'
        "[tool.k8slint.rules]\ndisable = ['pod-field-in-contaner']\n",
    )
    result = run("lint", str(repo))
    assert result.exit_code == 2
    assert "pyproject.toml:8:1: unknown rule id 'pod-field-in-contaner'" in result.stderr


def test_typo_in_rule_id_exits_2_naming_file_line_and_key(repo):
    config = write(
        repo / ".k8slint.yaml",
        "kubernetes-version: '1.31'\nrules:\n  disable:\n    - pod-field-in-contaner\n",
    )
    result = run("lint", str(repo))
    assert result.exit_code == 2
    assert (
        f"{config}:4:7: unknown rule id 'pod-field-in-contaner'; "
        "did you mean 'pod-field-in-container'?" in result.stderr
    )


def test_unknown_key_exits_2_naming_file_line_and_key(repo):
    config = write(repo / ".k8slint.yaml", "rules:\n  disable: []\n  severty:\n    a: error\n")
    result = run("lint", str(repo))
    assert result.exit_code == 2
    assert f"{config}:3:3: unknown key 'severty'; did you mean 'severity'?" in result.stderr


def test_every_mistake_is_reported_at_once_in_line_order(repo):
    write(
        repo / ".k8slint.yaml",
        "kubernetes-version: 1.30\n"
        "rules:\n  severity: {pod-field-in-container: fatal, no-such-rule: error}\n"
        "overrides:\n  - files: [legacy]\n    rules: {enable: ['nothing-*']}\n"
        "workload-kinds:\n  - {group: argoproj.io, kind: Rollout}\n",
    )
    lines = run("lint", str(repo)).stderr.splitlines()
    assert [line.split(":")[3] for line in lines] == ["1", "3", "3", "6", "8"]
    assert 'quote it, e.g. "1.30"' in lines[0]
    assert "'fatal' is not one of" in lines[1]
    assert "unknown rule id 'no-such-rule'" in lines[2]
    assert "no rule matches 'nothing-*'" in lines[3]
    assert "'template' is a required property" in lines[4]


def test_yaml_syntax_error_in_config(repo):
    write(repo / ".k8slint.yaml", "rules:\n  disable: [a\n")
    result = run("lint", str(repo))
    assert result.exit_code == 2
    assert ".k8slint.yaml:3:1: invalid YAML" in result.stderr


def test_severity_override_beats_the_rules_own(repo):
    write(repo / ".k8slint.yaml", "rules:\n  severity: {pod-field-in-container: warning}\n")
    result = run("lint", str(repo), "--format", "json")
    assert findings(result) == [("pod-field-in-container", "warning", 15)]
    assert run("lint", str(repo), "--fail-level", "error").exit_code == 0


def test_disable_all_then_enable_some(repo):
    write(repo / ".k8slint.yaml", "rules:\n  disable: [all]\n  enable: ['pod-*']\n")
    config = load_config(str(repo / ".k8slint.yaml"), load_rules())
    policy = RulePolicy(config, list(load_rules()))
    assert policy.rules_to_run() == {r for r in load_rules() if r.startswith("pod-")}
    assert rules_found(str(repo)) == PLACED


def test_command_line_select_and_ignore_have_the_last_word(repo):
    write(repo / ".k8slint.yaml", "rules:\n  disable: [pod-field-in-container]\n")
    assert rules_found(str(repo), "--select", "pod-field-in-container") == PLACED
    write(repo / ".k8slint.yaml", "rules:\n  enable: [pod-field-in-container]\n")
    assert rules_found(str(repo), "--ignore", "pod-*,schema") == []


def test_extends_merges_base_first_with_paths_relative_to_each_file(repo):
    write(
        repo / "base" / "k8slint.yaml",
        "kubernetes-version: '1.31'\nexclude: [vendor]\ncontext: [../platform]\n"
        "rules:\n  disable: [pod-field-in-container, yaml-syntax]\n",
    )
    write(
        repo / ".k8slint.yaml",
        "extends: base/k8slint.yaml\nrules:\n  enable: [pod-field-in-container]\n",
    )
    config = load_config(str(repo / ".k8slint.yaml"), load_rules())
    assert config.kubernetes_version == "1.31"
    assert config.exclude == [Glob(str(repo / "base"), "vendor")]
    assert [os.path.abspath(path) for path in config.context] == [str(repo / "platform")]
    enabled, _ = RulePolicy(config, list(load_rules())).for_file(str(repo / "deploy/web.yaml"))
    assert "pod-field-in-container" in enabled and "yaml-syntax" not in enabled


def test_extends_cycle_and_missing_file_are_errors(repo):
    write(repo / "a.k8slint.yaml", "extends: b.k8slint.yaml\n")
    write(repo / "b.k8slint.yaml", "extends: [a.k8slint.yaml]\n")
    with pytest.raises(
        ConfigError, match=r"b\.k8slint\.yaml:1:11: extends 'a\.k8slint\.yaml', which extends"
    ):
        load_config(str(repo / "a.k8slint.yaml"), load_rules())
    write(repo / "c.k8slint.yaml", "rules: {}\nextends: [nowhere.k8slint.yaml]\n")
    with pytest.raises(
        ConfigError, match=r"c\.k8slint\.yaml:2:11: extends 'nowhere\.k8slint\.yaml': no such file"
    ):
        load_config(str(repo / "c.k8slint.yaml"), load_rules())


def test_kubernetes_version_from_config_and_flag_overrides_it(repo):
    write(repo / "deploy" / "pod.yaml", POD_RESOURCES)
    (repo / "deploy" / "web.yaml").unlink()
    assert rules_found(str(repo)) == []  # pod-level resources exist in the newest
    write(repo / ".k8slint.yaml", "kubernetes-version: '1.31'\n")
    assert rules_found(str(repo)) == ["container-field-in-pod"]
    assert rules_found(str(repo), "--kubernetes-version", "1.33") == []
    write(repo / ".k8slint.yaml", "kubernetes-version: '1.2'\n")
    result = run("lint", str(repo))
    assert result.exit_code == 2 and "kubernetes-version" in result.stderr


@pytest.mark.parametrize(
    ("pattern", "linted"),
    [
        ("deploy", False),
        ("deploy/", False),
        ("/deploy", False),
        ("./deploy/web.yaml", False),
        ("/web.yaml", True),
        (".web.yaml", True),
        ("web.yaml", False),
        ("*.yaml", False),
        ("deploy/*.yaml", False),
        ("**/web.yaml", False),
        ("dep", True),
        ("other/web.yaml", True),
        ("eploy/*", True),
    ],
)
def test_exclude_globs(repo, pattern, linted):
    write(repo / ".k8slint.yaml", f"exclude: ['{pattern}']\n")
    result = run("lint", str(repo / "deploy" / "web.yaml"))
    assert result.exit_code == (1 if linted else 0), result.output


def test_custom_workload_kind_gets_the_pod_rules(repo):
    write(repo / "deploy" / "rollout.yaml", ROLLOUT)
    (repo / "deploy" / "web.yaml").unlink()
    assert run("lint", str(repo)).exit_code == 0
    write(
        repo / ".k8slint.yaml",
        "workload-kinds:\n  - {group: argoproj.io, kind: Rollout, template: spec.template}\n",
    )
    result = run("lint", str(repo), "--format", "json")
    assert findings(result) == [("pod-field-in-container", "error", 11)]
    assert "move it from spec.template.spec.containers[0] to spec.template.spec" in result.stdout
    assert run("lint", str(repo / "deploy"), "--config", os.devnull).exit_code == 0


def test_per_path_overrides(repo):
    write(repo / "legacy" / "old.yaml", WEB)
    write(repo / "staging" / "web.yaml", WEB)
    write(
        repo / ".k8slint.yaml",
        "overrides:\n"
        "  - files: [legacy]\n    rules: {disable: [pod-field-in-container]}\n"
        "  - files: ['staging/*.yaml']\n    rules: {severity: {pod-field-in-container: info}}\n",
    )
    result = run("lint", str(repo), "--format", "json")
    by_file = {(f["file"], f["rule"], f["severity"]) for f in json.loads(result.stdout)["findings"]}
    # Where the specific rule is off, the field is still unknown to the API:
    # `schema` says so, exactly as when the rule is disabled everywhere.
    assert by_file == {
        (str(repo / "deploy" / "web.yaml"), "pod-field-in-container", "error"),
        (str(repo / "legacy" / "old.yaml"), "schema", "error"),
        (str(repo / "staging" / "web.yaml"), "pod-field-in-container", "info"),
    }


def test_files_under_the_same_settings_share_one_answer_and_others_have_their_own(repo):
    """The engine keeps one list of checks per answer (`_Run._to_run`)."""
    write(
        repo / ".k8slint.yaml",
        "overrides:\n  - files: [legacy]\n    rules: {disable: [pod-field-in-container]}\n",
    )
    policy = RulePolicy(load_config(str(repo / ".k8slint.yaml"), load_rules()), list(load_rules()))
    web, api, old = (
        policy.for_file(str(repo / p)) for p in ("web.yaml", "a/api.yaml", "legacy/x.yaml")
    )
    assert web is api and web[0] is api[0]
    assert "pod-field-in-container" in web[0] and "pod-field-in-container" not in old[0]


def test_a_per_path_override_finds_what_the_same_global_setting_finds(repo):
    """Rule enablement is decided per file before `explains` applies (issue 9)."""
    write(repo / "legacy" / "web.yaml", WEB)
    disable = "rules: {disable: [pod-field-in-container]}\n"
    write(repo / ".k8slint.yaml", f"overrides:\n  - files: [legacy]\n    {disable}")
    per_path = json.loads(run("lint", str(repo / "legacy"), "--format", "json").stdout)
    write(repo / ".k8slint.yaml", disable)
    globally = json.loads(run("lint", str(repo / "legacy"), "--format", "json").stdout)
    assert per_path["findings"] == globally["findings"]
    assert [(f["rule"], f["line"]) for f in per_path["findings"]] == [("schema", 15)]
    assert 'unknown field "nodeSelector"' in per_path["findings"][0]["message"]


def test_override_can_enable_a_rule_disabled_globally(repo):
    write(repo / "strict" / "web.yaml", WEB)
    write(
        repo / ".k8slint.yaml",
        "rules: {disable: [pod-field-in-container]}\n"
        "overrides:\n  - files: [strict]\n    rules: {enable: [pod-field-in-container]}\n",
    )
    result = run("lint", str(repo), "--format", "json")
    assert [(f["file"], f["rule"]) for f in json.loads(result.stdout)["findings"]] == [
        (str(repo / "deploy" / "web.yaml"), "schema"),
        (str(repo / "strict" / "web.yaml"), "pod-field-in-container"),
    ]


def test_context_from_config_is_loaded_but_not_reported(repo):
    write(repo / "platform" / "web.yaml", WEB)
    write(repo / "app" / ".k8slint.yaml", "context: [../platform]\n")
    write(repo / "app" / "ok.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n")
    result = run("lint", str(repo / "app"))
    assert result.exit_code == 0
    assert result.stdout == "No problems found (1 file, 1 object).\n"


@pytest.fixture
def rules_with_params():
    """Today's rules have no options; give one some, as future rules will."""
    rules = dict(load_rules())
    base = rules["pod-field-in-container"]
    rules[base.id] = base._replace(params={"max-replicas": 3, "names": ["a"]})
    return rules


def test_params_merge_into_rule_params(tmp_path, rules_with_params):
    text = "rules:\n  params:\n    pod-field-in-container: {max-replicas: 5}\n"
    config_file = write(tmp_path / ".k8slint.yaml", text)
    config = load_config(str(config_file), rules_with_params)
    configured = config.configure_rules(rules_with_params)
    assert configured["pod-field-in-container"].params == {"max-replicas": 5, "names": ["a"]}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("{max-replica: 5}", "has no option 'max-replica'; did you mean 'max-replicas'?"),
        ("{max-replicas: many}", "option 'max-replicas' of pod-field-in-container must be a int"),
        ("{names: a}", "option 'names' of pod-field-in-container must be a list"),
    ],
)
def test_bad_params_are_errors(tmp_path, rules_with_params, params, message):
    config_file = write(
        tmp_path / ".k8slint.yaml", f"rules:\n  params:\n    pod-field-in-container: {params}\n"
    )
    with pytest.raises(ConfigError, match=r":3:30: .*" + message.replace("?", r"\?")):
        load_config(str(config_file), rules_with_params)


def test_empty_config_changes_nothing(repo):
    write(repo / ".k8slint.yaml", "# nothing yet\n")
    assert rules_found(str(repo)) == PLACED
    assert Config().configure_rules(load_rules()) == load_rules()


def test_config_schema_command_prints_a_valid_schema():
    result = run("config-schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    Draft7Validator.check_schema(schema)
    assert {"extends", "rules", "exclude", "workload-kinds", "overrides"} <= set(
        schema["properties"]
    )


def test_without_a_toml_parser_pyproject_is_skipped_unless_named(repo, monkeypatch):
    """Python 3.10 without tomli: no pyproject support, and no crash."""
    write(repo / "pyproject.toml", "[tool.k8slint]\nexclude = ['deploy']\n")
    monkeypatch.setattr("k8slint.config.file._toml_module", lambda: None)
    assert find_config([str(repo)]) != str(repo / "pyproject.toml")
    assert rules_found(str(repo)) == PLACED  # deploy/ was not excluded
    named = run("lint", str(repo), "--config", str(repo / "pyproject.toml"))
    assert named.exit_code == 2
    assert "needs Python 3.11+ or tomli" in named.stderr


def test_custom_workload_kinds_last_only_for_their_run(repo):
    from k8slint.kube.kinds import workload_kind
    from k8slint.load.loader import load_text

    write(repo / "deploy" / "rollout.yaml", ROLLOUT)
    write(
        repo / ".k8slint.yaml",
        "workload-kinds:\n  - {group: argoproj.io, kind: Rollout, template: spec.template}\n",
    )
    assert run("lint", str(repo)).exit_code == 1
    (rollout,) = load_text(ROLLOUT, "rollout.yaml").resources
    assert workload_kind(rollout) is None


def test_strict_from_config_and_the_command_line_wins(repo):
    unknown = repo / "deploy" / "extra.yaml"
    write(unknown, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\nextra: 1\n")
    assert "unknown field" in run("lint", str(unknown)).output
    write(repo / ".k8slint.yaml", "strict: false\n")
    assert "unknown field" not in run("lint", str(unknown)).output
    assert "unknown field" in run("lint", str(unknown), "--strict").output


EVERY_KEY = {
    "extends": ["recommended", "./base.k8slint.yaml"],
    "kubernetes-version": "v1.30.2",
    "strict": False,
    "kustomize-command": "kustomize build",
    "kustomize-timeout": 0.5,
    "cache": True,
    "cache-dir": ".cache",
    "exclude": ["generated", "**/*.secret.yaml"],
    "context": ["../shared"],
    "rules": {
        "disable": ["pod-*", "image-tag-mutable"],
        "enable": ["[a-c]*"],
        "severity": {"schema": "warning"},
        "params": {"replicas-min": {"min": 2}},
    },
    "workload-kinds": [{"group": "argoproj.io", "kind": "Rollout", "template": "spec.template"}],
    "overrides": [{"files": ["dev/"], "rules": {"disable": ["all"], "severity": {"a": "info"}}}],
}
"""A valid config with every key of the schema."""


@pytest.mark.parametrize(
    "change",
    [
        {},
        {"extends": "recommended"},
        {"extends": ""},
        {"extends": [""]},
        {"extends": 3},
        {"kubernetes-version": 1.3},
        {"kubernetes-version": "1.x"},
        {"strict": "yes"},
        {"kustomize-timeout": 0},
        {"kustomize-timeout": True},
        {"kustomize-timeout": 2},
        {"cache-dir": ""},
        {"exclude": "generated"},
        {"exclude": [1]},
        {"context": [""]},
        {"unknown": 1},
        {"rules": {"disable": ["Pod"]}},
        {"rules": {"severity": {"schema": "fatal"}}},
        {"rules": {"severity": {"Schema": "error"}}},
        {"rules": {"params": {"x": 1}}},
        {"rules": {"params": {"X": {}}}},
        {"rules": {"disables": []}},
        {"workload-kinds": [{"group": "g", "kind": "rollout", "template": "spec"}]},
        {"workload-kinds": [{"group": "g", "kind": "Rollout"}]},
        {"workload-kinds": [{"group": "g", "kind": "R", "template": "a..b"}]},
        {"overrides": [{"files": ["a"]}]},
        {"overrides": [{"files": ["a"], "rules": {"params": {}}}]},
        {"overrides": [{"files": ["a"], "rules": {"severity": {"a-b": None}}}]},
    ],
)
def test_a_config_is_valid_without_jsonschema_exactly_when_jsonschema_says_so(change):
    """A config that `fastcheck` passes is not validated by jsonschema (not even
    imported); one it does not pass is, for its messages. The two must agree."""
    from k8slint.config.file import _referenced, schema
    from k8slint.kube.fastcheck import compile_schema

    data = {**EVERY_KEY, **change}
    valid = Draft7Validator(schema()).is_valid(data)
    assert compile_schema(schema(), _referenced)(data) == valid
    assert valid or change  # the unchanged config is valid


def test_a_run_with_a_valid_config_does_not_import_jsonschema(repo):
    import subprocess
    import sys

    # schema is off: its finding on WEB's misplaced field would import jsonschema.
    config = "rules:\n  disable: [schema]\n  severity: {pod-field-in-container: info}\n"
    write(repo / ".k8slint.yaml", config)
    script = (
        "import sys\nfrom k8slint.cli import cli\n"
        "args = ['lint', '--no-cache', '--format', 'json', 'deploy']\n"
        "try:\n    cli(args, standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        "print('jsonschema' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=repo, check=True
    )
    *report, imported = done.stdout.splitlines()
    found = json.loads("\n".join(report))["findings"]
    assert [(f["rule"], f["severity"]) for f in found] == [("pod-field-in-container", "info")]
    assert imported == "False"
