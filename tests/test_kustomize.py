"""Issue 13: Kustomize trees are linted as built, and findings point where they were written."""

from __future__ import annotations

import copy
import json
import os
import tempfile

import pytest
from click.testing import CliRunner
from support import (
    FIXTURES,
    actual_findings,
    expected_findings,
    fixture_case_files,
    web_deployment,
)

from k8slint.cli import cli
from k8slint.engine.registry import load_rules
from k8slint.engine.run import Engine
from k8slint.kube.filekinds import FileClassifier
from k8slint.kustomize.build import find_command, run_build
from k8slint.kustomize.stage import RAW_NOTICE, KustomizeStage
from k8slint.load.discover import discover
from k8slint.presets import expand as expand_presets

TREE = FIXTURES / "kustomize-build--tree"
needs_kustomize = pytest.mark.skipif(
    find_command(None) is None,
    reason="needs `kustomize` or `kubectl` on PATH to build; the raw tests cover its absence",
)


def _lint(paths, command=None, rules=None):
    """With `rules` None: the rules `k8slint lint` runs without a config."""
    rules = rules if rules is not None else expand_presets([])[0]
    chosen = [r for r in load_rules().values() if r.id in rules]
    return Engine(chosen, kustomize_command=command).lint(discover(paths).files)


def _where(result):
    return [(os.path.relpath(f.file, TREE), f.line, f.column, f.rule) for f in result.findings]


@needs_kustomize
def test_tree_reports_each_planted_mistake_once_where_it_was_written():
    result = _lint([str(TREE)])
    assert actual_findings(result) == expected_findings(fixture_case_files(TREE))
    assert _where(result) == [
        ("overlays/broken/kustomization.yaml", 1, 1, "kustomize-build"),
        ("overlays/prod/node-selector.yaml", 10, 11, "pod-field-in-container"),
        ("overlays/staging/selector.yaml", 3, 3, "service-selector-no-match"),
    ]
    broken, moved, selector = result.findings
    assert broken.message.startswith("kustomize build ")
    assert "no-such-directory: no such file or directory" in broken.message
    assert moved.message.endswith(f"(in build {TREE}/overlays/prod)".replace(str(TREE), str(TREE)))
    assert moved.builds == (f"{TREE}/overlays/prod",)
    assert selector.message.startswith(
        "Service web selects app=wbe; no pod template in namespace staging has those labels"
    )
    assert selector.builds == (f"{TREE}/overlays/staging",)


@needs_kustomize
def test_a_finding_in_a_base_through_two_builds_is_reported_once_naming_both(tmp_path):
    base, one, two = tmp_path / "base", tmp_path / "one", tmp_path / "two"
    for directory in (base, one, two):
        directory.mkdir()
    (base / "kustomization.yaml").write_text("resources: [pod.yaml]\n")
    (base / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
        "    - name: c\n      image: nginx\n      nodeSelector: {disk: ssd}\n"
    )
    for overlay, namespace in ((one, "a"), (two, "b")):
        (overlay / "kustomization.yaml").write_text(
            f"resources: [../base]\nnamespace: {namespace}\n"
        )
    result = _lint([str(tmp_path)], rules={"pod-field-in-container"})
    assert [(f.file, f.line, f.column) for f in result.findings] == [(f"{base}/pod.yaml", 9, 7)]
    assert result.findings[0].builds == (str(one), str(two))
    assert result.findings[0].message.endswith(f"(in build {one}, {two})")


@needs_kustomize
def test_transformer_fields_point_at_the_kustomization_key_and_say_what_it_did(
    tmp_path, tmp_path_factory, monkeypatch
):
    private = tmp_path_factory.mktemp("wrappers")  # other workers build in the shared one
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [cm.yaml]\nnamespace: shop\nnamePrefix: prod-\n"
    )
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n")
    classifier = FileClassifier()
    files = discover([str(tmp_path)]).files
    outcome = KustomizeStage(find_command(None), files, [], classifier.kustomization).finish([])
    assert list(private.iterdir()) == []  # the wrapper directory is gone
    (built,) = outcome.built
    assert built.name == "prod-web" and built.namespace == "shop"
    assert "annotations" not in built.data["metadata"]  # origin annotations removed
    name = built.location(("metadata", "name"))
    assert (name.file, name.line, name.column) == (f"{tmp_path}/kustomization.yaml", 3, 1)
    assert name.note == "`namePrefix: prod-` makes it `prod-web`"
    namespace = built.location(("metadata", "namespace"))
    assert (namespace.line, namespace.note) == (2, "`namespace: shop` in the kustomization sets it")
    kind = built.location(("kind",))
    assert (kind.file, kind.line, kind.note) == (f"{tmp_path}/cm.yaml", 2, "")


@needs_kustomize
def test_kustomize_build_rule_examples(tmp_path):
    rule = load_rules()["kustomize-build"]
    for name, count in (("bad", 1), ("good", 0)):
        tree = tmp_path / name
        tree.mkdir()
        (tree / "kustomization.yaml").write_text(rule.examples[name])
        (tree / "deployment.yaml").write_text(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n"
        )
        result = _lint([str(tree)], rules={"kustomize-build"})
        assert [f.rule for f in result.findings] == ["kustomize-build"] * count


def test_without_kustomize_the_tree_is_linted_raw_without_false_positives():
    """Item 4: namespace and labels applied to the cross-object view, one root one application."""
    result = _lint([str(TREE)], command="none")
    assert _where(result) == [
        ("overlays/prod/node-selector.yaml", 10, 11, "pod-field-in-container")
    ]
    assert [n.message for n in result.notices].count(RAW_NOTICE) == 1


def test_raw_view_applies_namespace_and_labels(tmp_path):
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [web.yaml, svc.yaml]\nnamespace: shop\nnamePrefix: p-\nnameSuffix: -s\n"
        "commonLabels: {tier: front}\nlabels:\n  - pairs: {app: web}\n    includeSelectors: true\n"
        "  - pairs: {team: a}\n"
    )
    (tmp_path / "web.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
        '  template:\n    spec:\n      containers: [{name: c, image: "nginx:1.25"}]\n'
    )
    (tmp_path / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports: [{port: 80}]\n"
    )
    raw = _lint([str(tmp_path)], command="none")
    assert raw.findings == []
    views = {r.kind: r for r in _raw_view(tmp_path)[1]}
    web, svc = views["Deployment"], views["Service"]
    assert (web.name, web.namespace, web.build) == ("p-web-s", "shop", str(tmp_path))
    assert web.data["metadata"]["labels"] == {"tier": "front", "app": "web", "team": "a"}
    assert web.data["spec"]["selector"]["matchLabels"] == {"tier": "front", "app": "web"}
    assert web.data["spec"]["template"]["metadata"]["labels"] == {"tier": "front", "app": "web"}
    assert svc.data["spec"]["selector"] == {"tier": "front", "app": "web"}


def test_objects_of_two_builds_never_relate_and_of_one_build_always_do():
    """Item 1: two overlays in one namespace are not one application; one build is."""
    from k8slint.kube.index import RunIndex, related
    from k8slint.load.loader import load_text

    text = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w, namespace: shared}\n"
        "spec:\n  template:\n    metadata: {labels: {app: x}}\n"
        "    spec:\n      containers: [{name: c, image: nginx}]\n"
    )
    first, second, third = (load_text(text, f"{d}/w.yaml").resources[0] for d in "abc")
    first.build, second.build = "a", "b"
    assert not related(first, second)
    third.build = "a"
    assert related(first, third)  # unrelated directories, one build
    fourth = load_text(text, "a/other.yaml").resources[0]
    assert not related(first, fourth)  # same namespace, but only one is in a build
    index = RunIndex([first, second, third])
    assert [t.resource for t in index.pod_templates("shared", near=first)] == [first, third]


@needs_kustomize
def test_a_changed_base_is_linted_through_every_overlay_that_uses_it(tmp_path):
    """Item 6 (pre-commit): only the changed file is named; its findings come through
    both overlays, and findings in files that did not change are not reported."""
    (tmp_path / ".git").mkdir()
    base = tmp_path / "base"
    base.mkdir()
    (base / "kustomization.yaml").write_text("resources: [pod.yaml]\n")
    (base / "pod.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
        "    - name: c\n      image: nginx:1.25\n      nodeSelector: {disk: ssd}\n"
    )
    for name in ("dev", "prod"):
        overlay = tmp_path / "overlays" / name
        overlay.mkdir(parents=True)
        (overlay / "kustomization.yaml").write_text(
            "resources: [../../base, extra.yaml]\nnamespace: x\n"
        )
        (overlay / "extra.yaml").write_text(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: e\nspec:\n  containers:\n"
            "    - name: c\n      image: nginx:1.25\n      hostNetwork: true\n"
        )
    result = _lint([str(base / "pod.yaml")], rules={"pod-field-in-container"})
    assert [(f.file, f.line, f.builds) for f in result.findings] == [
        (
            str(base / "pod.yaml"),
            9,
            (str(tmp_path / "overlays" / "dev"), str(tmp_path / "overlays" / "prod")),
        )
    ]


def test_the_command_is_named_by_option_or_config_key(tmp_path):
    """`--kustomize-command` and the `kustomize-command` key; `none` lints raw."""
    from click.testing import CliRunner

    from k8slint.cli import cli

    (tmp_path / "kustomization.yaml").write_text("resources: [cm.yaml]\nnamespace: a\n")
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    by_option = CliRunner().invoke(
        cli, ["lint", "--kustomize-command", "none", "--format", "json", str(tmp_path)]
    )
    assert RAW_NOTICE in by_option.output
    (tmp_path / ".k8slint.yaml").write_text("kustomize-command: no-such-kustomize build\n")
    by_key = CliRunner().invoke(cli, ["lint", "--format", "json", str(tmp_path)])
    assert by_key.exit_code == 1
    assert "`no-such-kustomize build` could not run" in by_key.output
    assert '"rule": "kustomize-build"' in by_key.output


BASE_WITH_MISPLACED_FIELD = web_deployment("# pin to ssd nodes\nnodeSelector: {disktype: ssd}")


@needs_kustomize
def test_fix_edits_a_base_that_is_linted_through_its_build(tmp_path):
    """Fixes are edits of the files as written: --fix lints the tree raw while it
    fixes, then reports what remains through the build."""
    (tmp_path / "base").mkdir()
    (tmp_path / "prod").mkdir()
    (tmp_path / "base" / "web.yaml").write_text(BASE_WITH_MISPLACED_FIELD)
    (tmp_path / "base" / "kustomization.yaml").write_text("resources: [web.yaml]\n")
    (tmp_path / "prod" / "kustomization.yaml").write_text("resources: [../base]\nnamespace: p\n")
    before = CliRunner().invoke(cli, ["lint", str(tmp_path), "--format", "json"])
    (finding,) = json.loads(before.stdout)["findings"]
    assert (finding["rule"], finding["line"], finding["build"]) == (
        "pod-field-in-container",
        16,
        [str(tmp_path / "prod")],
    )
    fixed = CliRunner().invoke(cli, ["lint", "--fix", str(tmp_path)])
    assert fixed.exit_code == 0, fixed.output
    text = (tmp_path / "base" / "web.yaml").read_text()
    assert text.endswith(
        "    spec:\n      # pin to ssd nodes\n      nodeSelector: {disktype: ssd}\n"
        "      containers:\n        - name: web\n          image: nginx:1.27\n"
    )


def _sleeping_kustomize(tmp_path):
    """A stand-in Kustomize that never finishes in time (and starts a child that
    would outlive it, were the build's process group not killed)."""
    script = tmp_path / "slow-kustomize"
    script.write_text("#!/bin/sh\nsleep 30 &\nsleep 30\n")
    script.chmod(0o755)
    return str(script)


def test_a_build_that_takes_too_long_is_a_finding_naming_the_option(tmp_path):
    """`--kustomize-timeout` and the `kustomize-timeout` key; the default stays 120 s."""
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "kustomization.yaml").write_text("resources: [cm.yaml]\n")
    (tree / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")
    command = _sleeping_kustomize(tmp_path)
    options = ["--kustomize-command", command, "--kustomize-timeout", "0.3"]
    by_option = CliRunner().invoke(cli, ["lint", "--format", "json", *options, str(tree)])
    (finding,) = json.loads(by_option.stdout)["findings"]
    assert (finding["rule"], finding["file"], finding["line"]) == (
        "kustomize-build",
        str(tree / "kustomization.yaml"),
        1,
    )
    assert finding["message"] == (
        f"kustomize build {tree} failed: `{command}` timed out after 0.3s "
        "(--kustomize-timeout or the `kustomize-timeout` config key raises the limit)"
    )
    (tree / ".k8slint.yaml").write_text(f"kustomize-command: {command}\nkustomize-timeout: 0.2\n")
    by_key = CliRunner().invoke(cli, ["lint", "--format", "json", str(tree)])
    (finding,) = json.loads(by_key.stdout)["findings"]
    assert "timed out after 0.2s" in finding["message"]
    assert Engine([]).kustomize_timeout == 120


def test_the_timeout_must_be_positive(tmp_path):
    (tmp_path / ".k8slint.yaml").write_text("kustomize-timeout: 0\n")
    by_key = CliRunner().invoke(cli, ["lint", str(tmp_path)])
    assert by_key.exit_code == 2 and "kustomize-timeout" in by_key.output
    by_option = CliRunner().invoke(cli, ["lint", "--kustomize-timeout", "-1", str(tmp_path)])
    assert by_option.exit_code == 2 and "--kustomize-timeout" in by_option.output


PREFIXED_TREE = {
    "base/kustomization.yaml": "resources: [app.yaml]\nnamePrefix: shop-\n",
    "base/app.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      serviceAccountName: web
      volumes:
        - {name: config, configMap: {name: web-config}}
      containers:
        - name: web
          image: nginx:1.27
          ports: [{containerPort: 8080}]
          env:
            - name: MODE
              valueFrom: {configMapKeyRef: {name: web-config, key: mode}}
            - name: REGION
              valueFrom: {configMapKeyRef: {name: cluster-info, key: region, optional: true}}
          volumeMounts: [{name: config, mountPath: /etc/web}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config}
data: {mode: fast}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: web}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 4
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  defaultBackend: {service: {name: web, port: {number: 80}}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: reader}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: web-reads}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}
subjects:
  - {kind: ServiceAccount, name: web}
  - {kind: ServiceAccount, name: web, namespace: elsewhere}
""",
    "prod/kustomization.yaml": "resources: [../base]\nnamespace: prod\nnameSuffix: -v2\n",
}


def _write_tree(root, files):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _raw_view(root):
    """A tree's objects as loaded, and the cross-object view of them without a binary."""
    from k8slint.load.loader import load_file

    files = discover([str(root)]).files
    outcome = KustomizeStage(None, files, [], FileClassifier().kustomization).finish([])
    loaded = [r for item in files for r in load_file(item.path, item.display).resources]
    return loaded, outcome.view(loaded)


def test_a_prefixed_tree_linted_with_the_binary_hidden_has_no_false_positive(tmp_path, monkeypatch):
    """Service -> Deployment, HPA -> Deployment, volume and env -> ConfigMap,
    serviceAccountName, Ingress backend and RoleBinding stay unbroken."""
    _write_tree(tmp_path, PREFIXED_TREE)
    monkeypatch.setenv("PATH", str(tmp_path / "no-binaries-here"))
    assert find_command(None) is None
    raw = _lint([str(tmp_path)])
    assert [(f.rule, f.message) for f in raw.findings] == []
    assert [n.message for n in raw.notices].count(RAW_NOTICE) == 1


def test_raw_view_renames_prefixed_objects_and_the_references_to_them(tmp_path):
    """Item 4: `namePrefix`/`nameSuffix` rename each object and, as Kustomize's
    nameReference does, the references to objects of the same build only."""
    _write_tree(tmp_path, PREFIXED_TREE)
    loaded, viewed = _raw_view(tmp_path)
    before = copy.deepcopy([r.data for r in loaded])
    views = {(r.kind, r.name): r for r in viewed if r.build is not None}
    assert [r.data for r in loaded] == before  # the loaded objects are never written
    assert {name for _, name in views} == {
        "shop-web-v2",
        "shop-web-config-v2",
        "shop-reader-v2",
        "shop-web-reads-v2",
    }
    pod = views["Deployment", "shop-web-v2"].data["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "shop-web-v2"
    assert pod["volumes"][0]["configMap"]["name"] == "shop-web-config-v2"
    env = pod["containers"][0]["env"]
    assert env[0]["valueFrom"]["configMapKeyRef"]["name"] == "shop-web-config-v2"
    assert env[1]["valueFrom"]["configMapKeyRef"]["name"] == "cluster-info"  # not in the build
    hpa = views["HorizontalPodAutoscaler", "shop-web-v2"].data
    assert hpa["spec"]["scaleTargetRef"]["name"] == "shop-web-v2"
    ingress = views["Ingress", "shop-web-v2"].data
    assert ingress["spec"]["defaultBackend"]["service"]["name"] == "shop-web-v2"
    binding = views["RoleBinding", "shop-web-reads-v2"].data
    assert binding["roleRef"]["name"] == "shop-reader-v2"
    assert [s["name"] for s in binding["subjects"]] == ["shop-web-v2", "web"]  # other namespace


def test_raw_view_keeps_what_kustomize_does_not_rename(tmp_path):
    """Kustomize's own gaps are kept: a Namespace and a CRD keep their names, a
    ReplicaSet's serviceAccountName is not a name reference, and an HPA names
    the kind it scales."""
    _write_tree(
        tmp_path,
        {
            "kustomization.yaml": "resources: [objects.yaml]\nnamePrefix: p-\n",
            "objects.yaml": """\
apiVersion: v1
kind: Namespace
metadata: {name: team}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: runner}
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: runner}
spec:
  selector: {matchLabels: {app: r}}
  template:
    metadata: {labels: {app: r}}
    spec:
      serviceAccountName: runner
      containers: [{name: c, image: "nginx:1.27"}]
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: runner}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: runner}
  maxReplicas: 2
""",
        },
    )
    views = {r.kind: r for r in _raw_view(tmp_path)[1]}
    assert views["Namespace"].name == "team"
    assert views["CustomResourceDefinition"].name == "widgets.example.com"
    assert views["ReplicaSet"].name == "p-runner"
    assert views["ReplicaSet"].data["spec"]["template"]["spec"]["serviceAccountName"] == "runner"
    hpa = views["HorizontalPodAutoscaler"].data["spec"]["scaleTargetRef"]
    assert hpa["name"] == "runner"  # a Deployment: the build has none of that name


INLINE_PATCHES = """\
resources: [web.yaml]
patches:
  - target: {kind: Deployment, name: web}
    patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
      spec:

        template:
          spec:
            containers:
              - name: web
                nodeSelector: {disk: ssd}
  - target: {kind: Deployment, name: web}
    patch: |
      - op: replace
        path: /spec/template/spec/containers/0/image
        value: nginx:latest
  - patch: "{apiVersion: apps/v1, kind: Deployment, metadata: {name: web},
      spec: {template: {spec: {containers: [{name: web, hostPID: true}]}}}}"
patchesStrategicMerge:
  - |-
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      template:
        spec:
          containers:
            - name: web
              hostNetwork: true
"""


@needs_kustomize
def test_a_field_set_by_an_inline_patch_points_at_its_line_in_the_kustomization(tmp_path):
    """Item 3 for inline patches: in a literal block scalar, at the field's own line
    and column; in a quoted string (no lines of its own), at the `patch:` key."""
    (tmp_path / "kustomization.yaml").write_text(INLINE_PATCHES)
    (tmp_path / "web.yaml").write_text(web_deployment())
    rules = {"pod-field-in-container", "image-tag-mutable", "kustomize-build"}
    result = _lint([str(tmp_path)], rules=rules)
    found = [(os.path.basename(f.file), f.line, f.column, f.rule) for f in result.findings]
    assert found == [
        ("kustomization.yaml", 15, 17, "pod-field-in-container"),  # nodeSelector in the block
        ("kustomization.yaml", 20, 9, "image-tag-mutable"),  # the JSON 6902 op's value
        ("kustomization.yaml", 21, 5, "pod-field-in-container"),  # quoted: the patch key
        ("kustomization.yaml", 33, 15, "pod-field-in-container"),  # patchesStrategicMerge
    ]


@pytest.mark.parametrize(("users", "seen"), [(None, "400"), ("50", "50")])
def test_a_build_collects_garbage_less_often_unless_the_user_set_gogc(
    tmp_path, monkeypatch, users, seen
):
    """kubectl spends a third of a big build's CPU collecting at Go's default."""
    script = tmp_path / "env-kustomize"
    script.write_text("#!/bin/sh\necho \"gogc: '$GOGC'\"\n")
    script.chmod(0o755)
    if users is None:
        monkeypatch.delenv("GOGC", raising=False)
    else:
        monkeypatch.setenv("GOGC", users)
    built = run_build([str(script)], str(tmp_path), "tree", timeout=10)
    assert (built.text, built.error) == (f"gogc: '{seen}'\n", None)
