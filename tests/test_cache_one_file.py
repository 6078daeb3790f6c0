"""A one-file lint with the cache on (a pre-commit hook's, an editor's) keeps no
plan and no snapshot (k8slint/engine/run.py `_worth_a_plan`, cache/snapshot.py):
one plain file is classified with a few stats and its part's own entry is read as
cheaply. A Kustomize file, or more than one file, keeps both. Either way, the
re-lint after an edit gives what a run without the cache gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import engine_for, everything, web_deployment

from k8slint.cache import SNAPSHOTS, Cache, witness
from k8slint.cache.plan import PLANS
from k8slint.engine.run import LintResult
from k8slint.load.discover import discover


@pytest.fixture(autouse=True)
def _stats_vouch_for_files_written_just_before(monkeypatch):
    """As in test_cache.py: the witness and the plan vouch for what the test wrote."""
    monkeypatch.setattr(witness, "SETTLED_NS", 0)


def _lint(paths: list[Path], cache_dir: Path | None) -> LintResult:
    engine = engine_for(kustomize_command="none")
    engine.cache = Cache(str(cache_dir)) if cache_dir is not None else None
    return engine.lint(discover([str(path) for path in paths]).files)


def _entries(cache: Path, kind: str) -> int:
    return sum(1 for path in (cache / kind).rglob("*") if path.is_file())


@pytest.mark.parametrize(
    ("linted", "kept"),
    [
        (["web.yaml"], False),
        (["kustomization.yaml"], True),
        (["web.yaml", "other.yaml"], True),
    ],
)
def test_a_plan_and_a_snapshot_are_kept_for_more_than_one_plain_file(
    tmp_path: Path, linted: list[str], kept: bool
):
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    tree.mkdir()
    (tree / "web.yaml").write_text(web_deployment())
    (tree / "other.yaml").write_text(web_deployment().replace("web", "other"))
    (tree / "kustomization.yaml").write_text("resources: [web.yaml, other.yaml]\n")
    paths = [tree / name for name in linted]
    _lint(paths, cache)
    assert (_entries(cache, PLANS) > 0) == kept
    if linted != ["kustomization.yaml"]:  # a raw root's parts: one per file it reads
        assert (_entries(cache, SNAPSHOTS) > 0) == kept
    (tree / "web.yaml").write_text(web_deployment("securityContext: {privileged: true}"))
    assert everything(_lint(paths, cache)) == everything(_lint(paths, None))
