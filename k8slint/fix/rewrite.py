"""One file's text, rewritten by fixes: YAML through ruamel.yaml's round trip, JSON as JSON.

Only files with a fix to apply come here: the round-trip loader is an order of
magnitude slower than the lint path's composer. The text is normalised
(BOM and CRLF off) for the edit and restored after it, and only the lines the
edits changed are replaced (see `merge`).
"""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from k8slint.fix.merge import carry_over
from k8slint.kube import edits as plain
from k8slint.kube.edits import EditConflict
from k8slint.model import Fix

BOM = "\ufeff"


class RewriteError(Exception):
    """The file cannot be rewritten (it does not round-trip); it is left alone."""


def rewrite(text: str, fixes: Iterable[Fix]) -> tuple[str, list[Fix]]:
    """The text with `fixes` applied, and the fixes that were applied.

    A fix that no longer fits (another fix took its place) is skipped whole:
    its edits are tried on a copy first.
    """
    bom = text.startswith(BOM)
    body = text[1:] if bom else text
    crlf = "\r\n" in body
    if crlf:
        body = body.replace("\r\n", "\n")
    chosen = list(fixes)
    data = _json(body)
    if data is not None:
        new, applied = _rewrite_json(body, data, chosen)
    else:
        new, applied = _rewrite_yaml(body, chosen)
    if crlf:
        new = new.replace("\n", "\r\n")
    return (BOM if bom else "") + new, applied


def _json(text: str) -> Any:
    """The data of a JSON text, or None (YAML, including flow-style YAML)."""
    if text.lstrip()[:1] not in ("{", "["):
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _rewrite_json(text: str, data: Any, fixes: list[Fix]) -> tuple[str, list[Fix]]:
    """JSON has no comments to keep: the edits go on plain data, serialised with the
    file's indent, and only the changed lines are carried onto the text."""
    indent = _json_indent(text)
    before = json.dumps(data, indent=indent, ensure_ascii=False) + "\n"
    applied = []
    for fix in fixes:
        if fix.document != 0:
            continue
        try:
            trial = json.loads(json.dumps(data))
            target = plain.get(trial, fix.base) if fix.base else trial
            plain.apply(target, fix.edits)
        except EditConflict:
            continue
        data = trial
        applied.append(fix)
    after = json.dumps(data, indent=indent, ensure_ascii=False) + "\n"
    return "".join(carry_over(_lines(text), _lines(before), _lines(after))), applied


def _json_indent(text: str) -> int:
    match = re.search(r"\n( +)\S", text)
    return len(match.group(1)) if match else 2


# --- YAML ------------------------------------------------------------------------


def _yaml(mapping: int, sequence: int, offset: int) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 1 << 30  # never fold a long line the author wrote on one
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    return yaml


def _rewrite_yaml(text: str, fixes: list[Fix]) -> tuple[str, list[Fix]]:
    from ruamel.yaml import YAMLError

    loader = _yaml(2, 2, 0)
    try:
        documents = list(loader.load_all(text))
    except (YAMLError, ValueError) as error:
        raise RewriteError(f"cannot load for rewriting: {error}") from None
    mapping, sequence, offset = detect_indent(documents)
    dumper = _yaml(mapping, sequence, offset)
    before = _dump(dumper, documents)
    applied = []
    for fix in fixes:
        if not 0 <= fix.document < len(documents):
            continue
        trial = _trial(documents[fix.document], fix, mapping, sequence)
        if trial is None:
            continue
        documents[fix.document] = trial
        applied.append(fix)
    if not applied:
        return text, []
    after = _dump(dumper, documents)
    return "".join(carry_over(_lines(text), _lines(before), _lines(after))), applied


def _trial(document: Any, fix: Fix, mapping: int, sequence: int) -> Any | None:
    """The document with the fix applied, or None when the fix does not fit.

    The fix is tried on plain data first: a round-trip tree cannot be copied
    without losing comments, so it is edited only once the edits are known to fit.
    """
    from k8slint.fix.tree import TreeEditor

    try:
        data = _plain(document)
        plain.apply(plain.get(data, fix.base) if fix.base else data, fix.edits)
    except EditConflict:
        return None
    editor = TreeEditor(document, mapping, sequence)
    try:
        for edit in fix.edits:
            editor.apply(_based(edit, fix))
    except EditConflict as error:
        raise RewriteError(f"a fix fitted the data but not the file: {error}") from None
    return document


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    return node


def _based(edit: Any, fix: Fix) -> Any:
    from dataclasses import replace

    if not fix.base:
        return edit
    return replace(
        edit,
        path=(*fix.base, *edit.path),
        target=(*fix.base, *edit.target) if edit.target else (),
    )


def _dump(yaml: Any, documents: list[Any]) -> str:
    stream = io.StringIO()
    yaml.dump_all(documents, stream)
    return stream.getvalue()


def detect_indent(documents: list[Any]) -> tuple[int, int, int]:
    """The file's own (mapping indent, sequence indent, dash offset), the most common of each."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    mappings: Counter[int] = Counter()
    sequences: Counter[tuple[int, int]] = Counter()

    def visit(node: Any) -> None:
        if not isinstance(node, CommentedMap):
            if isinstance(node, CommentedSeq):
                for item in node:
                    visit(item)
            return
        for key, value in node.items():
            if key not in node.lc.data:
                continue
            column = node.lc.key(key)[1]
            if isinstance(value, CommentedMap) and value and not value.fa.flow_style():
                first = next(iter(value))
                if first in value.lc.data and value.lc.key(first)[0] > node.lc.key(key)[0]:
                    mappings[value.lc.key(first)[1] - column] += 1
            elif (
                isinstance(value, CommentedSeq)
                and value
                and not value.fa.flow_style()
                and 0 in value.lc.data
                and value.lc.item(0)[0] > node.lc.key(key)[0]
            ):
                item_column = value.lc.item(0)[1]
                sequences[(item_column - column, item_column - 2 - column)] += 1
            visit(value)

    for document in documents:
        visit(document)
    mapping = mappings.most_common(1)[0][0] if mappings else 2
    sequence, offset = sequences.most_common(1)[0][0] if sequences else (mapping, 0)
    mapping = max(mapping, 1)
    offset = max(offset, 0)
    return mapping, max(sequence, offset + 2), offset
