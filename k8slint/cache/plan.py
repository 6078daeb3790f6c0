"""A run's plan: what it found on disk that no manifest's content decides, for
the next run after an edit of some files.

A run whose witness misses (`witness`) computes its whole key again: every
file classified (reading the kustomizations above it), every Kustomize root
found and the files its build could read walked and digested. Yet most of
that depends only on the directories' entries and the kustomizations: a
file's kind and Kustomize tree, which directories are roots, which files a
build could read. An edit of a manifest changes none of it, only the digest
of that file, and the input key of the roots that read it.

So a run also keeps its plan, under the witness's key: the kustomizations it
parsed, its Kustomize stage's roots with their keys and the files each key
digests (`KustomizeStage.plan`), what its witness saw, and the stat of all of
it. The next run takes the plan only while every directory and kustomization
has the recorded stat (the same test as the witness's, settled alike), and
the files whose stat moved (or that had changed too recently to vouch for)
are its edits: their keys, and those of the roots that read them, are
computed again; everything else is the plan's.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, NamedTuple

from k8slint.cache.witness import Record, Signature, Stats, settled, signature
from k8slint.kube.filekinds import KUSTOMIZE_FILE_NAMES

if TYPE_CHECKING:
    from k8slint.cache import Cache
    from k8slint.kustomize.stage import StagePlan

PLANS = "plans"

MAX_EDITS = 16
"""A plan taken with more edits than this is made again. Until then each run
keys its edits again (a few files, and the roots that read them), which costs
less than writing the plan after every edit."""


class Plan(NamedTuple):
    """What a run found on disk, and the stats that vouch for it (a named tuple:
    no dataclass to compile at the import of every run with the cache on)."""

    structure: Record
    """Directories and kustomizations (and names above the tree): any change,
    and the plan is not taken."""
    content: list[tuple[str, Signature]]
    """The other files the run hashed: a change is an edit."""
    unsettled: frozenset[str]
    """Of those, the ones that changed too recently to vouch for: edits, always."""
    kustomizations: dict[str, dict[str, Any]]
    """Every kustomization parsed, by directory (`FileClassifier.kustomization`)."""
    kinds: dict[tuple[str, str | None], tuple[str, str]]
    """Each file's kind and the digest of its Kustomize tree, by (display, path)."""
    stage: StagePlan
    witness_files: frozenset[str]
    witness_directories: frozenset[str]

    def edits(self, stats: Stats) -> frozenset[str] | None:
        """The files whose content may have changed since (absolute); None when
        anything else did (a file made or deleted, a kustomization edited...)."""
        if not self.structure.unchanged(stats):
            return None
        return self.unsettled | {
            path for path, found in self.content if stats.signature(path) != found
        }


def recall(cache: Cache, key: str) -> tuple[Plan, frozenset[str]] | None:
    """The plan kept under `key` with the files edited since, if it stands."""
    plan = cache.load(PLANS, key)
    if not isinstance(plan, Plan):
        return None
    edits = plan.edits(cache.stats)
    return None if edits is None else (plan, edits)


def outdated(edits: frozenset[str] | None) -> bool:
    """Whether a run that took a plan with `edits` (None: took none) keeps its own."""
    return edits is None or len(edits) > MAX_EDITS


def remember(
    cache: Cache,
    key: str,
    kustomizations: dict[str, dict[str, Any]],
    kinds: dict[tuple[str, str | None], tuple[str, str]],
    stage: StagePlan,
) -> None:
    """Keep a run's plan, unless a directory or kustomization it saw changed too
    recently to vouch for (as for the witness)."""
    witness = cache.witness
    files = frozenset(cache.hashed()) | witness.files
    paths = witness.paths(files)
    if paths is None:
        return
    inside, above, probed = paths
    content_paths = {path for path in files if os.path.basename(path) not in KUSTOMIZE_FILE_NAMES}
    structure: list[tuple[str, Signature | None]] = []
    for path in [*(p for p in inside if p not in content_paths), *above, *_read(kustomizations)]:
        found = signature(path)
        if found is not None and not settled(found, cache.began_ns):
            return
        structure.append((path, found))
    content: list[tuple[str, Signature]] = []
    unsettled = set()
    for path in sorted(content_paths):
        found = signature(path)
        if found is None:
            return
        content.append((path, found))
        if not settled(found, cache.began_ns):
            unsettled.add(path)
    record = Record(structure, [(path, os.path.exists(path)) for path in probed])
    plan = Plan(
        record,
        content,
        frozenset(unsettled),
        kustomizations,
        dict(kinds),
        stage,
        files,
        frozenset(witness.directories),
    )
    cache.save(PLANS, key, plan)


def _read(kustomizations: dict[str, dict[str, Any]]) -> list[str]:
    """Every name a kustomization may have in the directories whose kustomization
    was read: one made, deleted or edited there is another kustomization."""
    names = sorted(KUSTOMIZE_FILE_NAMES)
    return [os.path.join(directory, name) for directory in sorted(kustomizations) for name in names]
