"""The run's memo of large documents (load.documents): a document met again is
made from the memo, with every position, issue and index as composing it gives."""

from __future__ import annotations

from k8slint.load.documents import MIN_CHARS, DocumentMemo
from k8slint.load.loader import LoadedFile, load_text

CRD = (
    "apiVersion: apiextensions.k8s.io/v1\n"
    "kind: CustomResourceDefinition\n"
    "metadata:\n"
    "  name: widgets.example.com\n"
    "  name: widgets.example.com\n"  # a duplicate key: an issue in every copy
    "spec:\n"
    "  script: |\n"
    "    echo one\n" + "".join(f"  field{i}: {'x' * 40}\n" for i in range(MIN_CHARS // 40))
)
SMALL = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: small\n"


def _same(with_memo: LoadedFile, alone: LoadedFile) -> None:
    """The memo changed nothing a caller can see."""
    assert with_memo.documents == alone.documents
    assert with_memo.issues == alone.issues
    assert with_memo.parse_failed == alone.parse_failed
    assert [(r.doc_index, r.item_path, r.data) for r in with_memo.resources] == [
        (r.doc_index, r.item_path, r.data) for r in alone.resources
    ]
    for mine, theirs in zip(with_memo.resources, alone.resources, strict=True):
        assert mine.locate(()) == theirs.locate(())
        assert mine.locate(("spec", "field7")) == theirs.locate(("spec", "field7"))
        assert mine.locate(("metadata", "name")) == theirs.locate(("metadata", "name"))


def _reused(memo: DocumentMemo, text: str) -> tuple[LoadedFile, int]:
    """`text` loaded with the memo, and how many documents the memo made."""
    plan = memo.plan(text)
    loaded = load_text(text, "b.yaml", memo=memo)
    return loaded, 0 if plan is None else len(plan.reused)


def test_a_document_met_again_keeps_its_positions_and_issues_in_a_later_file() -> None:
    memo = DocumentMemo()
    load_text("---\n" + CRD, "a.yaml", memo=memo)
    text = SMALL + "---\n" + SMALL + "---\n" + CRD + "---\n" + SMALL
    loaded, reused = _reused(memo, text)
    assert reused == 1
    _same(loaded, load_text(text, "b.yaml"))
    crd = loaded.resources[2]
    assert crd.locate(("spec", "field7")) == (10 + 16, 3)  # the CRD starts on line 11
    assert [issue.line for issue in loaded.issues] == [10 + 5]


def test_a_document_met_again_in_the_same_file_and_alone() -> None:
    memo = DocumentMemo()
    text = CRD + "---\n" + SMALL + "---\n" + CRD
    first = load_text(text, "a.yaml", memo=memo)
    _same(first, load_text(text, "a.yaml"))
    again, reused = _reused(memo, text)
    assert reused == 2  # the implicit first document and the explicit last one
    _same(again, load_text(text, "a.yaml"))
    assert [issue.line for issue in again.issues] == [5, 5 + CRD.count("\n") + 6]


def test_a_position_in_a_remembered_document_after_the_file_is_released() -> None:
    memo = DocumentMemo()
    load_text(CRD, "a.yaml", memo=memo)
    text = SMALL + "---\n" + CRD
    loaded, _ = _reused(memo, text)
    loaded.nodes.release()
    assert loaded.resources[1].locate(("spec", "field7")) == (5 + 7 + 2 + 7, 3)


def test_a_parse_error_after_a_remembered_document_is_reported_as_without_it() -> None:
    memo = DocumentMemo()
    load_text(CRD, "a.yaml", memo=memo)
    for broken in ("key: [unclosed\n", "a: b\n c: d\n", 'x: "open\n'):
        text = SMALL + "---\n" + CRD + "---\n" + broken + "---\n" + SMALL
        loaded, reused = _reused(memo, text)
        assert reused == 1
        assert loaded.parse_failed
        _same(loaded, load_text(text, "b.yaml"))


def test_a_flow_collection_open_across_a_marker_fails_the_same() -> None:
    memo = DocumentMemo()
    load_text(CRD, "a.yaml", memo=memo)
    text = "x: [a,\n---\n" + CRD
    loaded, _ = _reused(memo, text)
    _same(loaded, load_text(text, "b.yaml"))
    assert loaded.parse_failed


def test_a_marker_inside_a_block_scalar_ends_the_document_both_ways() -> None:
    memo = DocumentMemo()
    load_text(CRD, "a.yaml", memo=memo)
    text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  script: |\n    line\n---\n" + CRD
    loaded, reused = _reused(memo, text)
    assert reused == 1
    _same(loaded, load_text(text, "b.yaml"))
    assert loaded.resources[0].data["data"]["script"] == "line\n"


def test_an_end_marker_changes_nothing() -> None:
    memo = DocumentMemo()
    load_text(CRD, "a.yaml", memo=memo)
    text = SMALL + "...\n---\n" + CRD + "...\n# trailing\n---\n" + SMALL
    load_text(text, "b.yaml", memo=memo)  # remembers the body with its '...'
    loaded, reused = _reused(memo, text)
    assert reused == 1
    _same(loaded, load_text(text, "b.yaml"))


def test_directives_and_odd_line_breaks_compose_the_whole_text() -> None:
    memo = DocumentMemo()
    load_text(CRD, "a.yaml", memo=memo)
    for text in (
        "%YAML 1.1\n---\n" + CRD,
        SMALL + "---\n%TAG !! tag:example.com,2000:\n---\n" + CRD,
        SMALL + "\r---\n" + CRD,
        SMALL + "---\n\ufeff" + CRD,
    ):
        assert memo.plan(text) is None
        _same(load_text(text, "b.yaml", memo=memo), load_text(text, "b.yaml"))


def test_every_copy_owns_its_data() -> None:
    memo = DocumentMemo()
    first = load_text(CRD, "a.yaml", memo=memo).resources[0]
    second = load_text(CRD, "b.yaml", memo=memo).resources[0]
    third = load_text(CRD, "c.yaml", memo=memo).resources[0]
    second.data["spec"]["field1"] = "changed"
    assert third.data["spec"]["field1"] == first.data["spec"]["field1"] == "x" * 40
    assert third.data["spec"] is not second.data["spec"]


def test_the_memo_stops_remembering_at_its_cap() -> None:
    memo = DocumentMemo(limit=1024)  # the CRD's data takes more
    load_text(CRD, "a.yaml", memo=memo)
    assert len(memo) == 0
    memo = DocumentMemo()
    load_text(CRD, "a.yaml", memo=memo)
    assert len(memo) == 1


def test_small_documents_are_not_remembered() -> None:
    memo = DocumentMemo()
    load_text((SMALL + "---\n") * 200, "a.yaml", memo=memo)
    assert len(memo) == 0
