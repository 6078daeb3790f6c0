"""Which directories are Kustomize builds, and which of them are roots.

Every directory with a kustomization file is a build; a *root* is one that no
other kustomization of the tree includes (an overlay, or a base nothing uses).
Each root is one application: Kustomize applies its objects together, and
never those of two roots.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from k8slint.kube.filekinds import KUSTOMIZE_FILE_NAMES

Reader = Callable[[str], dict[str, Any]]
"""A directory's kustomization, parsed (`FileClassifier.kustomization`): read once a run."""

_INCLUDING_FIELDS = ("resources", "bases", "components")
_PATCH_FIELDS = ("patches", "patchesStrategicMerge", "patchesJson6902")


class Build(NamedTuple):
    """A root build: the directory Kustomize is run on."""

    directory: str
    """Absolute."""
    kustomization: str
    """The kustomization file's displayed path (where a failed build is reported)."""
    display: str
    """The directory as the user named it (`overlays/prod`): messages name builds so."""


def kustomization_file(directory: str) -> str | None:
    """The kustomization file of `directory`, if it has one."""
    for name in sorted(KUSTOMIZE_FILE_NAMES):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            return path
    return None


def entries(data: dict[str, Any], fields: Iterable[str]) -> list[str]:
    found: list[str] = []
    for name in fields:
        value = data.get(name)
        for entry in value if isinstance(value, list) else ():
            target = entry.get("path") if isinstance(entry, dict) else entry
            if isinstance(target, str) and "\n" not in target and "://" not in target:
                found.append(target)
    return found


def included_directories(directory: str, read: Reader) -> list[str]:
    """Local directories that the kustomization in `directory` builds on."""
    found = []
    for entry in entries(read(directory), _INCLUDING_FIELDS):
        target = os.path.normpath(os.path.join(directory, entry))
        if os.path.isdir(target) and kustomization_file(target):
            found.append(target)
    return found


def find_roots(kustomizations: Iterable[tuple[str, str]], read: Reader) -> list[Build]:
    """The root builds among kustomization files given as (absolute path, display).
    A Component is never a root: Kustomize builds it only into a kustomization."""
    displays: dict[str, str] = {}
    for path, display in kustomizations:
        displays.setdefault(os.path.dirname(os.path.normpath(path)), display)
    included = {inner for outer in displays for inner in included_directories(outer, read)}
    return [
        Build(directory, display, os.path.dirname(display) or ".")
        for directory, display in sorted(displays.items())
        if directory not in included and read(directory).get("kind") != "Component"
    ]


def members(directory: str, read: Reader) -> set[str]:
    """Absolute paths of the local files a build reads objects and patches from,
    through every kustomization it includes."""
    found: set[str] = set()
    pending, seen = [directory], set()
    while pending:
        current = pending.pop()
        if current in seen:
            continue
        seen.add(current)
        data = read(current)
        for entry in entries(data, (*_INCLUDING_FIELDS, *_PATCH_FIELDS)):
            target = os.path.normpath(os.path.join(current, entry))
            if os.path.isfile(target):
                found.add(target)
            elif os.path.isdir(target) and kustomization_file(target):
                pending.append(target)
    return found


def chain(directory: str, read: Reader) -> list[str]:
    """Every kustomization directory a build runs through, innermost first: the
    order in which their transformers apply."""
    order: list[str] = []

    def visit(current: str, path: tuple[str, ...]) -> None:
        if current in path or current in order:
            return
        for inner in included_directories(current, read):
            visit(inner, (*path, current))
        order.append(current)

    visit(directory, ())
    return order


_MAX_LEVELS = 6
"""How far above a file its kustomization may be (overlays/<name>/patches/x.yaml)."""

_MAX_DIRECTORIES = 20000
"""A repository walked for kustomizations: past this, the file is linted raw."""

_SKIPPED_DIRECTORIES = frozenset({"node_modules", "vendor", "__pycache__"})


def repository_top(path: str, seen: dict[str, tuple[bool, bool]] | None = None) -> str | None:
    """The repository (a directory with `.git`) a file is in, if it is in a
    Kustomize tree at all (a kustomization in its directory or a few above).
    `seen`: what was learnt of directories before (files of a tree share their
    parents), as (has a kustomization, has `.git`)."""
    seen = {} if seen is None else seen
    directory = os.path.dirname(os.path.abspath(path))
    near = False
    for level in range(64):
        if directory not in seen:
            seen[directory] = (
                kustomization_file(directory) is not None,
                os.path.exists(os.path.join(directory, ".git")),
            )
        has_kustomization, has_git = seen[directory]
        if level < _MAX_LEVELS and has_kustomization:
            near = True
        if has_git:
            return directory if near else None
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        directory = parent
    return None


def kustomizations_under(top: str, saw: Callable[[str], None] | None = None) -> list[str]:
    """Every kustomization file of a repository (hidden and vendored directories
    skipped); `saw` is told each directory walked (a new kustomization in any of
    them may be another root)."""
    found: list[str] = []
    for walked, (directory, subdirectories, _) in enumerate(os.walk(top)):
        if walked >= _MAX_DIRECTORIES:
            break
        if saw is not None:
            saw(directory)
        subdirectories[:] = sorted(
            d for d in subdirectories if not d.startswith(".") and d not in _SKIPPED_DIRECTORIES
        )
        path = kustomization_file(directory)
        if path:
            found.append(path)
    return found
