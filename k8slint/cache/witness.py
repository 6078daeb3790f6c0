"""A run's witness: the stat of everything it looked at on disk, so that a re-lint
of an unchanged tree knows its result without computing its key.

The whole run's key (every file's key, every Kustomize root and the digest of
the files it reads) costs most of a warm run: every file is classified, every
build's directories walked. The witness is what that work looked at: every
file whose bytes the run hashed (the linted files and every file a build could
read), every directory whose entries it listed or probed by name (the
directories of those files up to the top of the tree, those the builds walked,
the nearest existing directory of a path a kustomization names that does not
exist), and above the top of the tree, the names that the run looks for in
each parent (a kustomization, `.git`, a `Chart.yaml`). A file's edit, a new or
deleted file in one of those directories (which moves the directory's times),
a kustomization or a repository made above: each changes a stat, and the next
run misses.

A stat can only vouch for what it saw if nothing changed during the run: a
witness is recorded only when everything in it last changed `SETTLED_NS`
before the run began (as git treats "racily clean" files), so that an edit
made while the run read a file, or within one tick of the file system's
clock, is never hidden behind the same stat.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import NamedTuple

from k8slint.kube.filekinds import KUSTOMIZE_FILE_NAMES

SETTLED_NS = 3 * 10**9
"""What changed less than this before the run began is not vouched for."""

Signature = tuple[int, int, int, int, int]
"""(size, mtime_ns, ctime_ns, inode, device); a directory's times move when an
entry is made, deleted or renamed in it."""

_READ_ABOVE = tuple(sorted(KUSTOMIZE_FILE_NAMES))
"""Above the tree, the run reads the kustomizations of the parents (a file's
Kustomize tree): their bytes matter."""

_PROBED_ABOVE = (".git", "Chart.yaml")
"""Above the tree, only whether these are there matters (a repository's top, a
Helm chart's templates): `.git` changes with every commit, its presence does not."""


class Record(NamedTuple):
    """A run's witness as the next run checks it (a named tuple: no dataclass to
    compile at the import of every run with the cache on)."""

    stats: list[tuple[str, Signature | None]]
    """Paths with their stat (None: not there)."""
    presence: list[tuple[str, bool]]
    """Paths with whether they are there."""

    def unchanged(self, stats: Stats) -> bool:
        """Does every path still have the recorded stat, or presence?"""
        return all(stats.signature(path) == found for path, found in self.stats) and all(
            os.path.exists(path) == found for path, found in self.presence
        )


class Witness:
    """What one run looked at, gathered as it goes; `record` states it once done."""

    def __init__(self) -> None:
        self.directories: set[str] = set()
        self.files: set[str] = set()
        """Files an earlier run hashed and this one takes on its word (`adopt`)."""

    def saw_directory(self, path: str) -> None:
        """A directory whose entries decided something (absolute)."""
        self.directories.add(path)

    def adopt(self, files: Iterable[str], directories: Iterable[str]) -> None:
        """What an earlier run looked at for results this run reuses without
        looking again (`k8slint.cache.plan`): they depend on it all the same."""
        self.files.update(files)
        self.directories.update(directories)

    def paths(self, files: Iterable[str]) -> tuple[list[str], list[str], list[str]] | None:
        """What a record holds for a run that hashed `files` (absolute): the paths
        whose stat it keeps (the files, and every directory that decided what was
        read, up to the top of the tree), the kustomizations above the tree, and
        the names whose presence above it matters; None: nothing was looked at."""
        files = set(files) | self.files
        directories = self.directories | {os.path.dirname(path) for path in files}
        if not directories:
            return None
        top = os.path.commonpath(directories)
        parents = _parents(top)
        inside = sorted(files | _up_to(directories, top))
        above = [os.path.join(parent, name) for parent in parents for name in _READ_ABOVE]
        probed = [os.path.join(parent, name) for parent in parents for name in _PROBED_ABOVE]
        return inside, above, probed

    def record(self, files: Iterable[str], began_ns: int) -> Record | None:
        """The stats of `files` (absolute: what the run hashed) and of every
        directory that decided what it read; None when one of them changed too
        recently to vouch for (see the module's docstring) or cannot be seen."""
        paths = self.paths(files)
        if paths is None:
            return None
        inside, above, probed = paths
        stats: list[tuple[str, Signature | None]] = []
        for path in inside:
            found = signature(path)
            if found is None or not settled(found, began_ns):
                return None
            stats.append((path, found))
        for path in above:
            found = signature(path)
            if found is not None and not settled(found, began_ns):
                return None
            stats.append((path, found))
        return Record(stats, [(path, os.path.exists(path)) for path in probed])


def signature(path: str) -> Signature | None:
    """The stat that tells a changed file (None: not there), taken now."""
    return _signature(_stat(path))


def _stat(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def _signature(facts: os.stat_result | None) -> Signature | None:
    if facts is None:
        return None
    return (facts.st_size, facts.st_mtime_ns, facts.st_ctime_ns, facts.st_ino, facts.st_dev)


class Stats:
    """Each path's stat as a run found it when it began, taken once: the witness,
    the plan and the stat index all ask of the same files (a re-lint after an
    edit stated each file three times). Cleared when the run is done (`Cache.finish`):
    what a stat vouches for is decided when it was taken, and a record made at
    the end of a run takes its stats afresh (`Witness.record`)."""

    def __init__(self) -> None:
        self._found: dict[str, os.stat_result | None] = {}

    def of(self, path: str) -> os.stat_result | None:
        if path not in self._found:
            self._found[path] = _stat(path)
        return self._found[path]

    def signature(self, path: str) -> Signature | None:
        return _signature(self.of(path))

    def clear(self) -> None:
        self._found.clear()


def settled(found: Signature, began_ns: int) -> bool:
    """Whether a stat is old enough to vouch for the content it saw."""
    return max(found[1], found[2]) < began_ns - SETTLED_NS


def _up_to(directories: set[str], top: str) -> set[str]:
    """`directories` and every directory between each of them and `top`."""
    closed: set[str] = set()
    for directory in directories:
        while directory not in closed:
            closed.add(directory)
            parent = os.path.dirname(directory)
            if directory == top or parent == directory:
                break
            directory = parent
    return closed


def _parents(directory: str) -> list[str]:
    found = []
    while (parent := os.path.dirname(directory)) != directory:
        found.append(parent)
        directory = parent
    return found
