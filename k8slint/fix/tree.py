"""Edits on a ruamel.yaml round-trip tree, carrying comments with the fields they describe.

ruamel keeps a comment in the slot of the node *before* it: the lines above
`containers:` are the trailing comment of the deepest last value of the key
before it. Moving a key naively would therefore leave its own comments behind
and take its successor's along. Here every comment between two keys is moved
to the "before" slot of the key it precedes, so it travels with that key.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from k8slint.kube.edits import EditConflict, branch_position, position
from k8slint.model import Edit, JsonPath

_SLOTS = 4


def _is_block(node: Any) -> bool:
    return isinstance(node, CommentedMap | CommentedSeq) and bool(node) and not node.fa.flow_style()


def _last(node: CommentedMap | CommentedSeq) -> Any:
    return next(reversed(node)) if isinstance(node, CommentedMap) else len(node) - 1


def _entry(node: CommentedMap | CommentedSeq, key: Any) -> list[Any]:
    entry = node.ca.items.setdefault(key, [None] * _SLOTS)
    entry.extend([None] * (_SLOTS - len(entry)))
    return entry


def _trailing_slot(node: CommentedMap | CommentedSeq, key: Any) -> tuple[list[Any], int]:
    """The slot of the comment printed after the entry `key` (and its whole value)."""
    value = node[key]
    while _is_block(value):
        node, key = value, _last(value)
        value = node[key]
    return _entry(node, key), (2 if isinstance(node, CommentedMap) else 0)


def _end_text(node: Any) -> str:
    """Take the comments ruamel keeps at the end of a collection (`ca.end`) as text."""
    tokens = getattr(node.ca, "end", None) or []
    text = ""
    for token in tokens:
        if isinstance(token, CommentToken):
            value = token.value
            column = token.column or 0
            text += " " * column + value if value.lstrip().startswith("#") else value
    if tokens:
        node.ca.end = []
    return text


def split_trailing(node: CommentedMap | CommentedSeq, key: Any) -> str:
    """Detach the full comment lines after the entry `key`, keeping its end-of-line comment."""
    chain = []
    value = node[key]
    while _is_block(value):
        chain.append(value)
        value = value[_last(value)]
    entry, slot = _trailing_slot(node, key)
    token = entry[slot]
    rest = ""
    if isinstance(token, CommentToken):
        head, newline, rest = token.value.partition("\n")
        if newline and rest:
            if head.strip():
                token.value = head + "\n"
            else:
                entry[slot] = None
    for inner in reversed(chain):
        rest += _end_text(inner)
    return rest


def append_trailing(node: CommentedMap | CommentedSeq, key: Any, text: str) -> None:
    if not text:
        return
    entry, slot = _trailing_slot(node, key)
    token = entry[slot]
    if isinstance(token, CommentToken):
        token.value = token.value + text
    else:
        entry[slot] = CommentToken("\n" + text, CommentMark(0))


def add_before(node: CommentedMap, key: Any, text: str, first: bool = True) -> None:
    if not text:
        return
    entry = _entry(node, key)
    tokens = list(entry[1] or [])
    token = CommentToken(text, CommentMark(0))
    entry[1] = [token, *tokens] if first else [*tokens, token]


def _before_text(entry: list[Any] | None) -> str:
    tokens = entry[1] if entry else None
    return "".join(token.value for token in tokens or () if isinstance(token, CommentToken))


def _reindent(text: str, column: int) -> str:
    """Comment lines at `column` (blank lines stay blank)."""
    lines = text.splitlines(keepends=True)
    return "".join(" " * column + line.lstrip(" ") if line.strip() else line for line in lines)


def _shift(node: Any, delta: int) -> None:
    """Move the comments inside a moved value by the change in its indentation."""
    if delta == 0 or not isinstance(node, CommentedMap | CommentedSeq):
        return
    tokens: list[CommentToken] = []
    for entry in [node.ca.comment or [], *node.ca.items.values()]:
        for item in entry:
            if isinstance(item, CommentToken):
                tokens.append(item)
            elif isinstance(item, list):
                tokens.extend(t for t in item if isinstance(t, CommentToken))
    for token in tokens:
        head, newline, rest = token.value.partition("\n")
        if head.strip() and token.column is not None:
            token.column = max(0, token.column + delta)
        shifted = "".join(
            (" " * max(0, len(line) - len(line.lstrip(" ")) + delta) + line.lstrip(" "))
            if line.strip()
            else line
            for line in rest.splitlines(keepends=True)
        )
        token.value = head + newline + shifted
    for child in node.values() if isinstance(node, CommentedMap) else node:
        _shift(child, delta)


def _not_first(mapping: CommentedMap, path: JsonPath, index: int) -> int:
    """A new key goes first only where nothing speaks for the current first key: not
    in a list item (`- name: web` stays the item's first line), not under a comment."""
    if index or not mapping:
        return index
    first = next(iter(mapping))
    before = mapping.ca.comment and any(mapping.ca.comment[1:] or ())
    if (path and isinstance(path[-1], int)) or before or _before_text(mapping.ca.items.get(first)):
        return 1
    return 0


def _shift_end_of_line(entry: list[Any], delta: int) -> None:
    """Keep the gap before a moved key's end-of-line comment as the author left it."""
    token = entry[2] if len(entry) > 2 else None
    has_comment = isinstance(token, CommentToken) and token.value.partition("\n")[0].strip()
    if has_comment and token.column is not None:
        token.column = max(0, token.column + delta)


class TreeEditor:
    """Applies `Edit`s to one document's round-trip tree."""

    def __init__(self, root: Any, mapping_indent: int, sequence_indent: int) -> None:
        self.root = root
        self.mapping_indent = mapping_indent
        self.sequence_indent = sequence_indent
        self._after: list[tuple[CommentedMap, str, str]] = []
        """Comments that followed a mapping's last key, to follow the mapping created after it."""

    # --- navigation --------------------------------------------------------------

    def _walk(
        self, path: JsonPath, create: bool = False, edit: Edit | None = None
    ) -> tuple[Any, int]:
        """The node at `path` and the column of its keys (or items); with `create`,
        missing mappings are made where the plain edits make them."""
        node, column = self.root, 0
        if isinstance(node, CommentedMap) and node:
            column = node.lc.key(next(iter(node)))[1]
        for depth, step in enumerate(path):
            if isinstance(node, CommentedMap) and isinstance(step, str):
                if step not in node:
                    if not create:
                        raise EditConflict(f"no {path}")
                    at = _not_first(node, path[:depth], branch_position(node, path[:depth], edit))
                    keys = list(node)
                    if 0 < at < len(keys):
                        add_before(node, keys[at], split_trailing(node, keys[at - 1]))
                    elif keys and at == len(keys):
                        self._after.append((node, step, split_trailing(node, keys[-1])))
                    node.insert(at, step, CommentedMap())
                    child = node[step]
                else:
                    child = node[step]
                column = self._child_column(node, step, child, column)
            elif isinstance(node, CommentedSeq) and isinstance(step, int) and step < len(node):
                child = node[step]
                column = self._child_column(node, step, child, column)
            else:
                raise EditConflict(f"no {path}")
            node = child
        return node, column

    def _child_column(self, node: Any, step: Any, child: Any, column: int) -> int:
        if isinstance(child, CommentedMap) and child and child.lc.data:
            first = next(iter(child))
            if first in child.lc.data:
                return child.lc.key(first)[1]
        if isinstance(child, CommentedSeq) and child and 0 in child.lc.data:
            return child.lc.item(0)[1]
        if isinstance(node, CommentedSeq):
            return column
        if isinstance(child, CommentedSeq):
            return column + self.sequence_indent
        return column + self.mapping_indent

    # --- removing and inserting keys -----------------------------------------------

    def _take(
        self, path: JsonPath, extra_trail: str = "", keep: JsonPath = ()
    ) -> tuple[Any, list[Any], str, int]:
        """Remove the key at `path`; return its value, comment entry, the comments
        above it, and its column. A mapping it leaves empty goes too (as the plain
        edits do), and the comments that followed stay where they were."""
        parent, column = self._walk(path[:-1])
        key = path[-1]
        if not isinstance(parent, CommentedMap) or key not in parent:
            raise EditConflict(f"no {path}")
        keys = list(parent)
        index = keys.index(key)
        lead = split_trailing(parent, keys[index - 1]) if index else ""
        trail = split_trailing(parent, key) + extra_trail
        entry = [*(parent.ca.items.pop(key, None) or ()), *[None] * _SLOTS][:_SLOTS]
        lead += _before_text(entry)
        entry[1] = None
        value = parent.pop(key)
        above = path[:-1]
        if (
            not parent
            and len(path) > 1
            and isinstance(path[-2], str)
            and keep[: len(above)] != above
        ):
            _, _, parent_lead, _ = self._take(above, trail, keep)
            return value, entry, parent_lead + lead, column
        if trail and index:
            append_trailing(parent, keys[index - 1], trail)
        elif trail and parent:
            add_before(parent, next(iter(parent)), trail)
        return value, entry, lead, column

    def _put(
        self, edit: Edit, target: JsonPath, value: Any, entry: list[Any] | None, lead: str
    ) -> int:
        """Insert a key; returns the column of the mapping's keys."""
        parent, column = self._walk(target[:-1], create=True, edit=edit)
        key = target[-1]
        if not isinstance(parent, CommentedMap) or not isinstance(key, str):
            raise EditConflict(f"cannot put a key at {target}")
        if key in parent:
            raise EditConflict(f"{target} is taken")
        keys = list(parent)
        index = _not_first(parent, target[:-1], position(parent, edit, target))
        if index < len(keys):
            if index:
                add_before(parent, keys[index], split_trailing(parent, keys[index - 1]))
            parent.insert(index, key, value)
        else:
            after = split_trailing(parent, keys[-1]) if keys else ""
            parent.insert(index, key, value)
            append_trailing(parent, key, after)
        if entry is not None and any(entry):
            parent.ca.items[key] = entry
        add_before(parent, key, _reindent(lead, column), first=False)
        return column

    # --- the edits -----------------------------------------------------------------

    def apply(self, edit: Edit) -> None:
        self._apply(edit)
        for node, key, text in self._after:
            if key in node:
                append_trailing(node, key, text)
        self._after.clear()

    def _apply(self, edit: Edit) -> None:
        if edit.op == "move":
            try:
                self._walk(edit.target)
            except EditConflict:
                pass
            else:
                raise EditConflict(f"{edit.target} is taken")
            value, entry, lead, old_column = self._take(edit.path, keep=edit.target)
            new_column = self._put(edit, edit.target, value, entry, lead)
            _shift(value, new_column - old_column)
            key_change = len(str(edit.target[-1])) - len(str(edit.path[-1]))
            _shift_end_of_line(entry, new_column - old_column + key_change)
        elif edit.op == "copy":
            source, _ = self._walk(edit.path)
            self._put(edit, edit.target, _bare_copy(source), None, "")
        elif edit.op == "set":
            self._set(edit)
        elif edit.op == "rename":
            self._rename(edit)
        elif edit.op == "delete":
            _, _, lead, _ = self._take(edit.path)
            self._keep(edit.path, lead)
        else:
            raise EditConflict(f"unknown edit {edit.op!r}")

    def _keep(self, path: JsonPath, lead: str) -> None:
        """Comments above a deleted key stay, for what now follows them."""
        if not lead:
            return
        for depth in range(len(path) - 1, -1, -1):
            try:
                parent, _ = self._walk(path[:depth])
            except EditConflict:
                continue
            if isinstance(parent, CommentedMap) and parent:
                append_trailing(parent, _last(parent), lead)
                return

    def _set(self, edit: Edit) -> None:
        value = _node(json.loads(edit.value or "null"))
        parent, _ = self._walk(edit.path[:-1], create=True, edit=edit)
        key = edit.path[-1]
        if isinstance(parent, CommentedMap) and key in parent:
            old = parent[key]
            if isinstance(old, str) and isinstance(value, str) and type(old) is not str:
                value = type(old)(value)  # keep the quoting style of the replaced string
            parent[key] = value
            return
        self._put(edit, edit.path, value, None, "")

    def _rename(self, edit: Edit) -> None:
        parent, _ = self._walk(edit.path[:-1])
        old = edit.path[-1]
        if not isinstance(parent, CommentedMap) or old not in parent or edit.new_key in parent:
            raise EditConflict(f"cannot rename {edit.path}")
        index = list(parent).index(old)
        entry = parent.ca.items.pop(old, None)
        parent.insert(index, edit.new_key, parent.pop(old))
        if entry is not None:
            parent.ca.items[edit.new_key] = entry
            _shift_end_of_line(entry, len(edit.new_key) - len(str(old)))


def _node(value: Any) -> Any:
    """Plain JSON data as round-trip nodes (block style, as new YAML is written)."""
    if isinstance(value, dict):
        out = CommentedMap()
        for key, item in value.items():
            out[key] = _node(item)
        return out
    if isinstance(value, list):
        return CommentedSeq(_node(item) for item in value)
    return value


def _bare_copy(node: Any) -> Any:
    """A copy of a node in its own style (flow stays flow), without its comments."""
    duplicate = copy.deepcopy(node)
    _strip_comments(duplicate)
    return duplicate


def _strip_comments(node: Any) -> None:
    if isinstance(node, CommentedMap | CommentedSeq):
        node.ca.items.clear()
        node.ca.comment = None
        for child in node.values() if isinstance(node, CommentedMap) else node:
            _strip_comments(child)
