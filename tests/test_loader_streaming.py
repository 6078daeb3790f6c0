"""A file's objects are checked document by document as the loader makes them
(`load_text`'s `each`), and each document's node tree goes before the next is
composed: what that may not change (positions, Helm templates, suppressions)."""

from __future__ import annotations

from support import lint_text, web_pod

from k8slint.kube.filekinds import HELM_TEMPLATE, SKIPPED_NOTICES
from k8slint.load.loader import LoadedFile, load_text
from k8slint.model import Resource

PRIVILEGED = "securityContext: {privileged: true}\nports: [{containerPort: 99999}]"
OTHER_POD = web_pod(PRIVILEGED).replace("  name: web\nspec", "  name: other\nspec")
TWO_PODS = web_pod(PRIVILEGED) + "---\n" + OTHER_POD


def test_each_document_is_told_before_the_next_is_composed():
    seen: list[tuple[int, list[str | None]]] = []

    def each(loaded: LoadedFile, resources: list[Resource]) -> bool:
        seen.append((loaded.documents, [resource.name for resource in resources]))
        return True

    loaded = load_text(TWO_PODS + "---\nplain: yaml\n", "two.yaml", each)
    assert seen == [(1, ["web"]), (2, ["other"]), (3, [])]
    assert [resource.name for resource in loaded.resources] == ["web", "other"]


def test_a_dropped_tree_is_composed_again_for_a_position():
    kept = load_text(TWO_PODS, "two.yaml")
    dropped = load_text(TWO_PODS, "two.yaml", lambda loaded, resources: True)
    path = ("spec", "containers", 0, "image")
    for index in (0, 1):
        assert dropped.resources[index].pos(path) == kept.resources[index].pos(path) != (1, 1)


def test_a_tree_kept_by_each_is_not_dropped():
    loaded = load_text(TWO_PODS, "two.yaml", lambda loaded, resources: False)
    assert loaded.nodes.root(0) is not None and loaded.nodes.root(1) is not None


def test_a_template_that_fails_to_parse_reports_nothing_of_its_first_documents():
    # The first document parses and has findings (and a notice: an unknown rule
    # in an ignore annotation); the second is a Go template: the whole file is
    # a Helm template, skipped, and nothing said of the first is reported.
    first = web_pod(PRIVILEGED).replace(
        "  name: web\nspec", "  name: web\n  annotations: {ignore.k8slint.io/no-such-rule: x}\nspec"
    )
    assert lint_text(first).findings and lint_text(first).notices
    result = lint_text(first + "---\nspec:\n  replicas: {{ .Values.n }}\n  x: [\n")
    assert not result.findings
    assert [notice.message for notice in result.notices] == [SKIPPED_NOTICES[HELM_TEMPLATE]]


def test_findings_of_every_document_keep_their_lines():
    alone = lint_text(OTHER_POD)
    offset = web_pod(PRIVILEGED).count("\n") + 1  # the first document and the separator
    both = lint_text(TWO_PODS)
    second = {(f.rule, f.line - offset) for f in both.findings if f.line > offset}
    assert alone.findings and second == {(f.rule, f.line) for f in alone.findings}


def test_a_comment_after_the_first_document_suppresses_its_findings():
    assert lint_text(TWO_PODS).findings
    assert not lint_text(TWO_PODS + "# k8slint: disable-file\n").findings


def test_a_file_edited_after_loading_is_not_answered_with_its_new_text(tmp_path):
    from k8slint.load.loader import load_file

    path = tmp_path / "pod.yaml"
    path.write_text(web_pod())
    image = ("spec", "containers", 0, "image")
    for edit, expected in ((None, (8, 7)), ("image: nginx:1.28", (1, 1))):
        loaded = load_file(str(path))
        loaded.nodes.release()  # as the engine does once the file is checked
        if edit:  # the same length, other bytes: an editor saved in between
            path.write_text(web_pod().replace("image: nginx:1.27", edit))
        assert loaded.resources[0].pos(image) == expected
