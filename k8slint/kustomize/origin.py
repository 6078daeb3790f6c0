"""Where the user wrote each field of a built object.

Kustomize's origin annotation names the resource file an object came from;
the rest is worked out from the kustomizations the build ran through: a field
whose value is still the resource file's points there, a field a patch set
points into the patch, and a field a transformer wrote (namespace, labels,
name prefix or suffix, images, replicas) points at that transformer's key in
the kustomization, with a note saying what it did.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from k8slint.kustomize.tree import kustomization_file
from k8slint.load.loader import load_file, locate
from k8slint.model import JsonPath, Location, Resource

ORIGIN = "config.kubernetes.io/origin"
TRANSFORMATIONS = "alpha.config.kubernetes.io/transformations"
BUILD_ANNOTATIONS = (ORIGIN, TRANSFORMATIONS)
"""Kustomize's own annotations, asked for by the wrapper: removed before any rule runs."""

_MERGE_KEYS = ("name", "mountPath", "devicePath", "containerPort", "port", "ip")
"""Keys by which strategic merge matches list items (containers by name, ports by port)."""

_LABEL_HOLDERS = frozenset({"labels", "matchLabels", "selector"})


@dataclass(frozen=True, slots=True)
class Doc:
    """One YAML document of a file with its positions; `fixed` for an inline patch,
    whose text has no positions of its own (it points at its kustomization entry)."""

    file: str
    data: Any
    locate: Callable[[JsonPath], tuple[int, int]] | None
    fixed: Location | None = None

    def at(self, path: JsonPath) -> Location:
        if self.fixed is not None or self.locate is None:
            return self.fixed or Location(self.file, 1, 1)
        line, column = self.locate(path)
        return Location(self.file, line, column)


class Documents:
    """Every file the builds point into, parsed once a run."""

    def __init__(self, display: Callable[[str], str], loaded: Iterable[Resource] = ()) -> None:
        self.display = display
        self._loaded: dict[str, list[Doc]] = {}
        """The run's objects by displayed file: a linted file is not parsed again."""
        for resource in loaded:
            doc = Doc(resource.file, resource.data, resource.locate)
            self._loaded.setdefault(resource.file, []).append(doc)
        self._docs: dict[str, list[Doc]] = {}

    def of(self, path: str) -> list[Doc]:
        """The documents of the file at absolute `path` (none if unreadable)."""
        if path not in self._docs:
            display = self.display(path)
            known = self._loaded.get(display)
            self._docs[path] = known if known is not None else _parse(path, display)
        return self._docs[path]


def _parse(path: str, display: str) -> list[Doc]:
    """Objects through the linter's own loader (fast, positions as everywhere);
    anything else (a JSON 6902 patch is a list, a kustomization has no kind)
    through PyYAML, which is slower but these files are small."""
    loaded = load_file(path, display)
    if loaded.resources and len(loaded.resources) == loaded.documents:
        return [Doc(display, r.data, r.locate) for r in loaded.resources]
    return _composed(loaded.text, display) or []


def _composed(text: str, display: str) -> list[Doc] | None:
    """The documents of `text` with their positions (None: it does not parse)."""
    try:
        nodes = list(yaml.compose_all(text, Loader=yaml.CSafeLoader))
        values = list(yaml.load_all(text, Loader=yaml.CSafeLoader))
    except (ValueError, yaml.YAMLError):
        return None
    return [
        Doc(display, value, functools.partial(locate, node))
        for value, node in zip(values, nodes, strict=False)
    ]


_BLOCK_SCALAR = re.compile(r"(?:^|:|-)\s*[|][+-]?\s*(?:#.*)?$")
"""A line that ends by opening a literal block scalar (`patch: |`, `- |-`); with
an explicit indentation or folding (`>`) the text's lines are not the file's."""


def _inline(text: str, own: Doc, path: JsonPath, lines: list[str]) -> list[Doc]:
    """The documents of a patch written inside the kustomization at `path`. In a
    literal block scalar each field points at its own line; otherwise (a quoted
    or folded string) every field points at the entry's key."""
    key = own.at(path)
    shifted = _block_offset(text, key.line, lines)
    docs = _composed(text, own.file) if shifted is not None else None
    if docs is None or shifted is None:
        try:
            values = list(yaml.load_all(text, Loader=yaml.CSafeLoader))
        except yaml.YAMLError:
            return []
        return [Doc(own.file, value, None, key) for value in values if value is not None]
    line_offset, indent = shifted
    return [
        Doc(own.file, doc.data, _Shifted(doc.locate, line_offset, indent))
        for doc in docs
        if doc.data is not None and doc.locate is not None
    ]


def _block_offset(text: str, key_line: int, lines: list[str]) -> tuple[int, int] | None:
    """(lines before the text, its indentation) when `text` is the literal block
    scalar opened on line `key_line` of the kustomization, line for line."""
    if not 0 < key_line <= len(lines) or not _BLOCK_SCALAR.search(lines[key_line - 1]):
        return None
    body = lines[key_line : key_line + len(text.splitlines())]
    indents = [len(line) - len(line.lstrip(" ")) for line in body if line.strip()]
    if not indents:
        return None
    indent = indents[0]
    for written, parsed in zip(body, text.splitlines(), strict=False):
        if written[indent:] != parsed and (written.strip() or parsed):
            return None
    return key_line, indent


@dataclass(frozen=True, slots=True)
class _Shifted:
    """Positions in an inline patch's text as positions in its kustomization (a
    class, not a closure: built objects are kept in the cache with their origins)."""

    locate_in_text: Callable[[JsonPath], tuple[int, int]]
    lines: int
    columns: int

    def __call__(self, path: JsonPath) -> tuple[int, int]:
        line, column = self.locate_in_text(path)
        return line + self.lines, column + self.columns


@dataclass(frozen=True, slots=True)
class _Patch:
    doc: Doc
    target: dict[str, Any]
    json6902: bool


@dataclass(frozen=True, slots=True)
class Layer:
    """One kustomization a build runs through, as far as origins are concerned."""

    directory: str
    kustomization: Doc
    patches: tuple[_Patch, ...]


def read_layer(directory: str, documents: Documents) -> Layer | None:
    path = kustomization_file(directory)
    docs = documents.of(path) if path else []
    if not path or not docs or not isinstance(docs[0].data, dict):
        return None
    own = docs[0]
    return Layer(directory, own, tuple(_patches(directory, path, own, documents)))


def _patches(directory: str, file: str, own: Doc, documents: Documents) -> Iterator[_Patch]:
    data = own.data
    lines: list[str] | None = None
    for field in ("patchesStrategicMerge", "patches", "patchesJson6902"):
        entries = data.get(field)
        for index, entry in enumerate(entries if isinstance(entries, list) else ()):
            target = entry.get("target") if isinstance(entry, dict) else None
            target = target if isinstance(target, dict) else {}
            path = entry.get("path") if isinstance(entry, dict) else entry
            text = entry.get("patch") if isinstance(entry, dict) else None
            if isinstance(path, str) and "\n" not in path:
                docs = documents.of(os.path.normpath(os.path.join(directory, path)))
            elif isinstance(text, str) or isinstance(path, str):
                lines = _lines(file) if lines is None else lines
                at = (field, index, "patch") if isinstance(text, str) else (field, index)
                docs = _inline(text or path or "", own, at, lines)
            else:
                continue
            for doc in docs:
                yield _Patch(doc, target, field == "patchesJson6902" or isinstance(doc.data, list))


def _lines(path: str) -> list[str]:
    """A kustomization's lines, to place what its inline patches set."""
    try:
        return load_file(path, path).text.splitlines()
    except (OSError, ValueError):
        return []


@dataclass(slots=True)
class BuiltObject:
    """A built object's data and where each of its fields was written."""

    data: dict[str, Any]
    source: Doc | None
    layers: list[Layer]
    fallback: Location

    def position(self, path: JsonPath) -> tuple[int, int]:
        """`Resource.locate` of the built object: the line and column of `location`."""
        found = self.location(path)
        return found.line, found.column

    def location(self, path: JsonPath) -> Location:
        """The file, line and column the user edits to change `path`."""
        source_depth, source_path, equal = self._in_source(path)
        if self.source is not None and equal and source_depth == len(path):
            return self.source.at(source_path)
        best: tuple[int, Location] | None = None
        for patch in self._patches():
            found = _in_patch(self.data, patch, path)
            if found is not None and (best is None or found[0] > best[0]):
                best = found
        if best is not None and best[0] >= len(path):
            return best[1]
        by_transformer = self._transformer(path)
        if by_transformer is not None:
            return by_transformer
        if best is not None and best[0] > source_depth:
            return best[1]
        if self.source is not None:
            return self.source.at(source_path)
        return self.fallback

    def _in_source(self, path: JsonPath) -> tuple[int, JsonPath, bool]:
        if self.source is None:
            return 0, (), False
        for depth in range(len(path), -1, -1):
            found = corresponding(self.data, self.source.data, path[:depth])
            if found is not None:
                other_path, value = found
                return depth, other_path, value == get(self.data, path[:depth])
        return 0, (), False

    def _patches(self) -> Iterator[_Patch]:
        names = self._names()
        kind = self.data.get("kind")
        for layer in reversed(self.layers):
            for patch in layer.patches:
                if _targets(patch, kind, names):
                    yield patch

    def _names(self) -> set[str]:
        names = {_name(self.data)}
        if self.source is not None and isinstance(self.source.data, dict):
            names.add(_name(self.source.data))
        return names

    def _transformer(self, path: JsonPath) -> Location | None:
        for layer in reversed(self.layers):
            found = _transformer_key(layer.kustomization, self.data, path)
            if found is not None:
                return found
        return None


def _transformer_key(own: Doc, built: dict[str, Any], path: JsonPath) -> Location | None:
    """The key of a kustomization's transformer that wrote `path`, with a note."""
    data = own.data
    if path == ("metadata", "namespace") and isinstance(data.get("namespace"), str):
        note = f"`namespace: {data['namespace']}` in the kustomization sets it"
        return _noted(own.at(("namespace",)), note)
    if path == ("metadata", "name"):
        for key in ("namePrefix", "nameSuffix"):
            if isinstance(data.get(key), str) and data[key]:
                return _noted(own.at((key,)), f"`{key}: {data[key]}` makes it `{_name(built)}`")
    if len(path) >= 2 and path[-2] in _LABEL_HOLDERS and isinstance(path[-1], str):
        key = path[-1]
        common = data.get("commonLabels")
        if isinstance(common, dict) and key in common:
            return _noted(own.at(("commonLabels", key)), f"`commonLabels` adds `{key}`")
        labels = data.get("labels")
        for index, entry in enumerate(labels if isinstance(labels, list) else ()):
            pairs = entry.get("pairs") if isinstance(entry, dict) else None
            if isinstance(pairs, dict) and key in pairs:
                return _noted(own.at(("labels", index, "pairs", key)), f"`labels` adds `{key}`")
    if path and path[-1] == "image" and isinstance(data.get("images"), list):
        image = get(built, path)
        for index, entry in enumerate(data["images"]):
            name = entry.get("newName") or entry.get("name") if isinstance(entry, dict) else None
            if isinstance(name, str) and isinstance(image, str) and image.startswith(name):
                return _noted(own.at(("images", index)), f"`images` makes it `{image}`")
    if path == ("spec", "replicas") and isinstance(data.get("replicas"), list):
        for index, entry in enumerate(data["replicas"]):
            if isinstance(entry, dict) and entry.get("name") in (_name(built), None):
                return _noted(
                    own.at(("replicas", index)), "`replicas` in the kustomization sets it"
                )
    return None


def _noted(location: Location, note: str) -> Location:
    return Location(location.file, location.line, location.column, note)


def _targets(patch: _Patch, kind: object, names: set[str]) -> bool:
    target = patch.target
    if target:
        if target.get("kind") not in (None, kind):
            return False
        wanted = target.get("name")
        if isinstance(wanted, str):
            try:
                pattern = re.compile(f"^(?:{wanted})$")
            except re.error:
                return wanted in names
            return any(pattern.match(name) for name in names)
        return True
    data = patch.doc.data
    return isinstance(data, dict) and data.get("kind") == kind and _name(data) in names


def _in_patch(built: dict[str, Any], patch: _Patch, path: JsonPath) -> tuple[int, Location] | None:
    """How deep `path` reaches into what the patch wrote, and where that is."""
    if not patch.json6902:
        for depth in range(len(path), 0, -1):
            found = corresponding(built, patch.doc.data, path[:depth])
            if found is not None and depth > 2:  # below kind/metadata.name: what it set
                return depth, patch.doc.at(found[0])
        return None
    best: tuple[int, Location] | None = None
    for index, op in enumerate(patch.doc.data if isinstance(patch.doc.data, list) else ()):
        pointer = _pointer(op.get("path")) if isinstance(op, dict) else None
        if pointer is None:
            continue
        if path[: len(pointer)] == pointer and "value" in op:
            rest = path[len(pointer) :]
            inner = corresponding(get(built, pointer), op["value"], rest)
            depth = len(pointer) + (len(rest) if inner else 0)
            where = patch.doc.at((index, "value", *(inner[0] if inner else ())))
        elif pointer[: len(path)] == path:
            depth, where = len(path), patch.doc.at((index,))
        else:
            continue
        if best is None or depth > best[0]:
            best = (depth, where)
    return best


def _pointer(text: object) -> JsonPath | None:
    if not isinstance(text, str) or not text.startswith("/"):
        return None
    steps: list[str | int] = []
    for part in text[1:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        steps.append(int(part) if part.isdigit() else part)
    return tuple(steps)


def corresponding(built: Any, other: Any, path: JsonPath) -> tuple[JsonPath, Any] | None:
    """The path in `other` of the node at `path` in `built`, and its value there:
    list items are matched by their merge key (a container by name), else by index."""
    found: list[str | int] = []
    for step in path:
        if isinstance(step, int):
            if not isinstance(built, list) or not isinstance(other, list) or step >= len(built):
                return None
            index = _matching_index(built[step], other, step)
            if index is None:
                return None
            built, other = built[step], other[index]
            found.append(index)
        else:
            if not isinstance(built, dict) or not isinstance(other, dict) or step not in other:
                return None
            built, other = built.get(step), other[step]
            found.append(step)
    return tuple(found), other


def _matching_index(item: Any, other: list[Any], index: int) -> int | None:
    if isinstance(item, dict):
        for key in _MERGE_KEYS:
            if key in item:
                for position, candidate in enumerate(other):
                    if isinstance(candidate, dict) and candidate.get(key) == item[key]:
                        return position
                return None
    return index if index < len(other) else None


def get(data: Any, path: JsonPath) -> Any:
    for step in path:
        if isinstance(step, int) and isinstance(data, list) and 0 <= step < len(data):
            data = data[step]
        elif isinstance(step, str) and isinstance(data, dict):
            data = data.get(step)
        else:
            return None
    return data


def _name(data: dict[str, Any]) -> str:
    metadata = data.get("metadata")
    name = metadata.get("name") if isinstance(metadata, dict) else None
    return name if isinstance(name, str) else ""


def find_source(docs: list[Doc], kind: object, built_name: str) -> Doc | None:
    """The document of a resource file that a built object came from: the same
    kind, and the longest name that the built name contains (a prefix or
    suffix may have been added)."""
    best: Doc | None = None
    for doc in docs:
        data = doc.data
        if not isinstance(data, dict) or data.get("kind") != kind:
            continue
        name = _name(data)
        if name and name in built_name and (best is None or len(name) > len(_name(best.data))):
            best = doc
    return best
