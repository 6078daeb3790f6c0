"""What kind of file is this: one module decides, one notice per skipped kind."""

from __future__ import annotations

from support import lint_paths, lint_text

from k8slint.kube.filekinds import (
    HELM_TEMPLATE,
    KUSTOMIZATION,
    KUSTOMIZE_CONFIG,
    SKIPPED_NOTICES,
    is_template_text,
)

HELM_TEXT = "\n".join(
    [
        "apiVersion: v1",
        "kind: Service",
        "metadata:",
        "  name: {{ .Release.Name }}",
        "  {{- x }}",
        "",
    ]
)


def test_helm_template_is_skipped_with_the_one_helm_notice():
    result = lint_text(HELM_TEXT, name="templates/svc.yaml")
    assert result.findings == []
    assert [n.message for n in result.notices] == [SKIPPED_NOTICES[HELM_TEMPLATE]]


def test_braces_in_a_comment_do_not_hide_a_syntax_error():
    """Issue 10, item 2: a broken plain manifest with `{{` in a comment keeps its finding."""
    text = "# render with {{ .Values }} later\napiVersion: v1\nkind: ConfigMap\nmetadata: [\n"
    result = lint_text(text)
    assert [(f.rule, f.line) for f in result.findings] == [("yaml-syntax", 4)]
    assert result.notices == []


def test_template_text_is_decided_outside_comments():
    assert is_template_text("a: {{ .x }}\n")
    assert is_template_text("{{- if .Values.on }}\n")
    assert not is_template_text("# a: {{ .x }}\nb: 1\n")
    assert not is_template_text("a: 1  # {{ not a template }}\n")


def test_kustomization_file_is_skipped_with_its_notice():
    result = lint_text("resources: [a.yaml]\n", name="overlays/prod/kustomization.yaml")
    assert result.findings == []
    assert [n.message for n in result.notices] == [SKIPPED_NOTICES[KUSTOMIZATION]]


def test_kustomize_patch_is_known_by_its_kustomization(tmp_path):
    """A patch lacks the selector and template of what it patches: not a schema error."""
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [web.yaml]\npatches:\n  - path: p.yaml\n"
    )
    (tmp_path / "p.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n"
    )
    result = lint_paths([str(tmp_path / "p.yaml")], ["schema", "selector-missing"])
    assert result.findings == []
    alone = tmp_path.parent / "alone"
    alone.mkdir()
    (alone / "p.yaml").write_text((tmp_path / "p.yaml").read_text())
    found = lint_paths([str(alone / "p.yaml")], ["schema"]).findings
    assert [(f.rule, f.message.split(" in ")[0]) for f in found] == [
        ("schema", 'missing required field "selector"'),
        ("schema", 'missing required field "template"'),
    ]


def test_kustomize_configuration_files_are_skipped_with_their_notice(tmp_path):
    """Issue 13, item 5: files a kustomization names as its configuration are not objects."""
    (tmp_path / "kustomization.yaml").write_text(
        "resources: [web.yaml]\n"
        "transformers: [labels.yaml]\n"
        "configurations: [conf/names.yaml]\n"
        "replacements:\n  - path: repl.yaml\n"
        "openapi:\n  path: schema.yaml\n"
    )
    (tmp_path / "conf").mkdir()
    label = "apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: x}\nlabels: {a: b}\n"
    (tmp_path / "labels.yaml").write_text(label)
    (tmp_path / "conf" / "names.yaml").write_text("nameReference:\n- kind: Secret\n")
    (tmp_path / "repl.yaml").write_text("- source: {kind: ConfigMap}\n  targets: []\n")
    (tmp_path / "schema.yaml").write_text("definitions: {}\n")
    result = lint_paths(
        [str(tmp_path / name) for name in ("labels.yaml", "conf/names.yaml", "repl.yaml")]
        + [str(tmp_path / "schema.yaml")]
    )
    assert result.findings == []
    assert [n.message for n in result.notices] == [SKIPPED_NOTICES[KUSTOMIZE_CONFIG]] * 4


def test_builtin_transformer_documents_are_not_objects_anywhere(tmp_path):
    """Named by no kustomization we can see, `apiVersion: builtin` is still Kustomize's."""
    text = (
        "apiVersion: builtin\nkind: PrefixSuffixTransformer\nmetadata: {name: p}\nprefix: a-\n"
        "---\napiVersion: builtin\nkind: ConfigMapGenerator\nmetadata: {name: c}\n"
        "---\napiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
        "metadata: {name: c}\n"
    )
    assert lint_text(text).findings == []
