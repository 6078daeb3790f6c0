"""What kind of file is this: one module decides, one notice per skipped kind."""

from __future__ import annotations

from support import lint_paths, lint_text

from k8slint.kube.filekinds import HELM_TEMPLATE, KUSTOMIZATION, SKIPPED_NOTICES, is_template_text

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
