"""The key of a Kustomize build: every local file it could read, and the command.

Kustomize reads the files a kustomization names, and with its default load
restriction only files under the directories of the kustomizations it goes
through; a plugin or a relaxed restriction may read more. So, conservatively,
the key covers every regular file under the directory of every kustomization
reachable from the root (hidden directories aside), every local path a
kustomization names anywhere else, and the identity of the command. A build
that names anything remote (a URL, a git repository, a Helm chart) has no
key: its output depends on the network, and is never cached.
"""

from __future__ import annotations

import itertools
import os
import re
import stat
from collections.abc import Callable, Iterator
from typing import Any

from k8slint.cache.keys import digest
from k8slint.kustomize.tree import Reader, chain

MAX_FILES = 20_000
"""Past this many files, hashing a build's inputs costs more than it may save."""

_INCLUDING_FIELDS = ("resources", "bases", "components")
_REMOTE_FIELDS = ("helmCharts", "helmChartInflationGenerator", "helmGlobals")
_REMOTE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://|git@|(?:github|gitlab)\.com/|bitbucket\.org/)|[?&]ref=",
    re.IGNORECASE,
)


def _ignore(directory: str) -> None:
    return None


def build_input_files(
    directory: str,
    read: Reader,
    fetches: bool = True,
    saw_directory: Callable[[str], None] = _ignore,
) -> frozenset[str] | None:
    """Every local file the build of `directory` could read (None: it reads
    something remote, or there are too many). `fetches=False`: nothing is built
    (raw linting reads the local files only), so remote names do not matter.
    `saw_directory` is told every directory whose entries decided which files
    these are (a run's witness)."""
    files: set[str] = set()
    for current in chain(directory, read):
        data = read(current)
        if fetches and _names_remote(current, data):
            return None
        named = _named_files(current, data, saw_directory)
        for path in itertools.chain(named, _files_under(current, saw_directory)):
            files.add(path)
            if len(files) > MAX_FILES:
                return None
    return frozenset(files)


def inputs_key(
    directory: str, files: frozenset[str], file_digest: Callable[[str], str | None]
) -> str | None:
    """The digest of `files` as the inputs of the build of `directory` (None: one
    cannot be read)."""
    hashed = []
    for path in sorted(files):
        found = file_digest(path)
        if found is None:
            return None
        hashed.append((path, found))
    return digest("build-inputs", directory, hashed)


def _names_remote(directory: str, data: dict[str, Any]) -> bool:
    if any(data.get(name) for name in _REMOTE_FIELDS):
        return True
    for name in _INCLUDING_FIELDS:
        value = data.get(name)
        for entry in value if isinstance(value, list) else ():
            target = entry.get("path") if isinstance(entry, dict) else entry
            if not isinstance(target, str):
                continue
            if _REMOTE.search(target) or not os.path.exists(os.path.join(directory, target)):
                return True  # not here: Kustomize would fetch it
    return any(_REMOTE.search(text) for text in _strings(data) if "\n" not in text)


def _named_files(
    directory: str, data: dict[str, Any], saw_directory: Callable[[str], None]
) -> Iterator[str]:
    """Every regular file a string of the kustomization names (patches, generators'
    files and envs, configurations...), and those under a directory it names.
    A name of nothing: the nearest directory that is there would hold it."""
    for text in _strings(data):
        if "\n" in text or "\0" in text or len(text) > 4096 or os.path.isabs(text):
            continue
        for candidate in {text, text.partition("=")[2]} - {""}:  # `key=path` in generators
            target = os.path.normpath(os.path.join(directory, candidate))
            if os.path.isfile(target):
                yield target
            elif os.path.isdir(target):
                if target != directory:
                    yield from _files_under(target, saw_directory)
            else:
                saw_directory(_nearest_directory(target))


def _nearest_directory(path: str) -> str:
    """The nearest directory above `path` that is there ("" for none: a relative
    path whose every parent is missing)."""
    while (parent := os.path.dirname(path)) != path and parent and not os.path.isdir(parent):
        path = parent
    return parent


def _files_under(directory: str, saw_directory: Callable[[str], None]) -> Iterator[str]:
    for folder, subfolders, names in os.walk(directory):
        saw_directory(folder)
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in names:
            path = os.path.join(folder, name)
            try:
                if stat.S_ISREG(os.stat(path).st_mode):
                    yield path
            except OSError:
                continue


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
