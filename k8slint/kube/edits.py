"""Edits on plain object data: what a fix does, without any file layout.

The fixer applies the same edits to a round-trip tree (k8slint.fix.tree) to
keep comments; this plain form lets a check try a rewrite before offering it
(an API migration is offered only if the result validates against the target
version's schema) and serves JSON files, which have no comments to keep.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from typing import Any

from k8slint.model import Edit, JsonPath


class EditConflict(ValueError):
    """An edit does not fit the data (its source is gone, its target taken)."""


def touched(edit: Edit) -> list[JsonPath]:
    """The paths an edit changes: two fixes conflict when one touches what the other does."""
    if edit.op == "move":
        return [edit.path, edit.target]
    if edit.op == "copy":
        return [edit.target]
    if edit.op == "rename":
        return [edit.path, (*edit.path[:-1], edit.new_key)]
    return [edit.path]


def overlaps(first: Iterable[JsonPath], second: Iterable[JsonPath]) -> bool:
    """Whether some path of one is the other's or lies under it."""
    second = list(second)
    return any(a[: len(b)] == b or b[: len(a)] == a for a in first for b in second)


def branch_position(mapping: dict[str, Any], at: JsonPath, edit: Edit | None) -> int:
    """Where a mapping that an edit creates goes in the mapping at `at`: before the
    branch that leads to the edit's source, if there is one, else last."""
    keys = list(mapping)
    source = edit.path if edit is not None and edit.op in ("move", "copy") else ()
    if len(source) > len(at) and source[: len(at)] == at and source[len(at)] in mapping:
        return keys.index(source[len(at)])
    return len(keys)


def parent_of(data: Any, path: JsonPath, create: bool = False, edit: Edit | None = None) -> Any:
    """The container that holds `path`'s last step; with `create`, missing mappings are
    made (placed as `branch_position` says)."""
    node = data
    for depth, step in enumerate(path[:-1]):
        if isinstance(node, dict):
            if step not in node and create:
                insert_at(node, step, {}, branch_position(node, path[:depth], edit))
            node = node.get(step) if isinstance(step, str) else None
        elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
            node = node[step]
        else:
            node = None
        if node is None:
            raise EditConflict(f"no {path}")
    return node


def get(data: Any, path: JsonPath) -> Any:
    parent = parent_of(data, path)
    key = path[-1]
    if isinstance(parent, dict) and key in parent:
        return parent[key]
    if isinstance(parent, list) and isinstance(key, int) and 0 <= key < len(parent):
        return parent[key]
    raise EditConflict(f"no {path}")


def emptied(data: Any, path: JsonPath, keep: JsonPath = ()) -> list[JsonPath]:
    """Mappings above `path` (not the object) that removing it leaves empty, innermost first."""
    out = []
    for depth in range(len(path) - 1, 0, -1):
        holder = get(data, path[:depth])
        if not isinstance(holder, dict) or len(holder) != 1 or not isinstance(path[depth - 1], str):
            break
        if keep[:depth] == path[:depth]:
            break  # the edit puts something back in it
        out.append(path[:depth])
    return out


def insert_at(mapping: dict[str, Any], key: str, value: Any, position: int) -> None:
    """Put `key` at `position` of a plain dict (dicts keep insertion order)."""
    items = list(mapping.items())
    items.insert(position, (key, value))
    mapping.clear()
    mapping.update(items)


def position(mapping: dict[str, Any], edit: Edit, target: JsonPath) -> int:
    """Where a new key goes (see `Edit`): before `before`, else before the branch
    that leads to the moved field, else last."""
    keys = list(mapping)
    if edit.before and edit.before in mapping:
        return keys.index(edit.before)
    if edit.op in ("move", "copy") and edit.path[: len(target) - 1] == target[:-1]:
        branch = edit.path[len(target) - 1]
        if branch in mapping:
            return keys.index(branch)
    return len(keys)


def apply(data: dict[str, Any], edits: Iterable[Edit]) -> None:
    """Apply edits to plain data in place; raises EditConflict if one does not fit."""
    for edit in edits:
        _apply_one(data, edit)


def _remove(data: Any, path: JsonPath, keep: JsonPath = ()) -> Any:
    """Remove the key at `path`, and the mappings that this leaves empty (except
    those on the way to `keep`, where the edit puts the value back)."""
    drop = emptied(data, path, keep)
    value = get(data, path)
    parent_of(data, path).pop(path[-1])
    for empty in drop:
        parent_of(data, empty).pop(empty[-1])
    return value


def _put(data: Any, edit: Edit, target: JsonPath, value: Any) -> None:
    parent = parent_of(data, target, create=True, edit=edit)
    key = target[-1]
    if not isinstance(parent, dict) or not isinstance(key, str):
        raise EditConflict(f"cannot put a key at {target}")
    if key in parent and edit.op != "set":
        raise EditConflict(f"{target} is taken")
    if key in parent:
        parent[key] = value
    else:
        insert_at(parent, key, value, position(parent, edit, target))


def _apply_one(data: Any, edit: Edit) -> None:
    if edit.op == "move":
        value = get(data, edit.path)
        try:
            get(data, edit.target)
        except EditConflict:
            pass
        else:
            raise EditConflict(f"{edit.target} is taken")
        _remove(data, edit.path, edit.target)
        _put(data, edit, edit.target, value)
    elif edit.op == "copy":
        _put(data, edit, edit.target, copy.deepcopy(get(data, edit.path)))
    elif edit.op == "set":
        _put(data, edit, edit.path, json.loads(edit.value or "null"))
    elif edit.op == "rename":
        parent = parent_of(data, edit.path)
        old = edit.path[-1]
        if not isinstance(parent, dict) or old not in parent or edit.new_key in parent:
            raise EditConflict(f"cannot rename {edit.path}")
        at = list(parent).index(old)
        insert_at(parent, edit.new_key, parent.pop(old), at)
    elif edit.op == "delete":
        _remove(data, edit.path)
    else:
        raise EditConflict(f"unknown edit {edit.op!r}")
