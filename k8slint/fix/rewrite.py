"""One file's text, rewritten by fixes: YAML through ruamel.yaml's round trip, JSON as JSON.

Only files with a fix to apply come here: the round-trip loader is an order of
magnitude slower than the lint path's composer. The text is normalised
(BOM and CRLF off) for the edit and restored after it, and only the lines the
edits changed are replaced (see `merge`).
"""

from __future__ import annotations

import io
import json
import pickle
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
    return Rewriter(text).rewrite(fixes)


class Rewriter:
    """A file's text, loaded once, to rewrite with one set of fixes after another,
    each on the text as it is: SARIF shows every fix alone, as a change to the
    file now, and loading a file for the round trip costs more than the rest of a
    rewrite. The text is normalised (BOM and CRLF off) for the edit and restored
    after it."""

    def __init__(self, text: str) -> None:
        self._bom = text.startswith(BOM)
        body = text[1:] if self._bom else text
        self._crlf = "\r\n" in body
        self._body = body.replace("\r\n", "\n") if self._crlf else body
        self._data = _json(self._body)
        self._yaml = _LoadedYaml(self._body) if self._data is None else None

    def rewrite(self, fixes: Iterable[Fix]) -> tuple[str, list[Fix]]:
        chosen = list(fixes)
        if self._yaml is None:
            new, applied = _rewrite_json(self._body, self._data, chosen)
        else:
            new, applied = self._yaml.rewrite(chosen)
        if self._crlf:
            new = new.replace("\n", "\r\n")
        return (BOM if self._bom else "") + new, applied


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


class _LoadedYaml:
    """A YAML text's round-trip documents, its indentation and its serialisation
    before any edit. Each rewrite edits its own copy of the documents: a pickle
    round trip of ruamel's tree keeps its comments and positions (copy.deepcopy
    drops comments) at a tenth of the cost of loading the text again."""

    def __init__(self, text: str) -> None:
        self._text = text
        documents = self._load()
        try:
            self._pickled: bytes | None = pickle.dumps(documents)
        except Exception:  # a tree pickle cannot take: each rewrite loads the text again
            self._pickled = None
        self._indent = detect_indent(documents)
        self._dumper = _yaml(*self._indent)
        self._before = _dump(self._dumper, self._copy())

    def _load(self) -> list[Any]:
        from ruamel.yaml import YAMLError

        try:
            return list(_yaml(2, 2, 0).load_all(self._text))
        except (YAMLError, ValueError) as error:
            raise RewriteError(f"cannot load for rewriting: {error}") from None

    def _copy(self) -> list[Any]:
        return pickle.loads(self._pickled) if self._pickled is not None else self._load()

    def rewrite(self, fixes: list[Fix]) -> tuple[str, list[Fix]]:
        documents = self._copy()
        mapping, sequence, _ = self._indent
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
            return self._text, []
        after = _dump(self._dumper, documents)
        lines = carry_over(_lines(self._text), _lines(self._before), _lines(after))
        return "".join(lines), applied


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
    if not fix.base:
        return edit
    return edit._replace(
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
