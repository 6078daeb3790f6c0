"""The benchmark scripts still run (they are not imported by anything else)."""

from __future__ import annotations

import json
import subprocess
import sys

from support import FIXTURES, REPO, web_deployment, web_pod


def test_schema_agreement_runs_on_a_small_tree():
    script = REPO / "benchmarks" / "schema_agreement.py"
    done = subprocess.run(
        [sys.executable, str(script), str(FIXTURES / "schema.yaml"), "--show", "1"],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    assert "agree" in done.stdout


def _bench_stage(stage: str, corpus) -> subprocess.CompletedProcess:
    """One stage of benchmarks/bench.py, as its parent process runs it; it must succeed."""
    done = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "bench.py"),
            "--stage",
            stage,
            "--corpus",
            str(corpus),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    return done


def test_bench_runs_one_stage(tmp_path):
    """The `lint` stage (the engine as `k8slint lint` runs it) on a tree of its own:
    the fixtures would only make the run longer, not the script's path another."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "web.yaml").write_text(web_deployment() + "---\n" + web_pod())
    done = _bench_stage("lint", corpus)
    assert json.loads(done.stdout)["count"] == 2  # objects linted


def test_bench_fix_stage_writes_only_its_copy(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    manifest = corpus / "pod.yaml"
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        "  containers:\n  - name: c\n    image: a:1\n    hostNetwork: true\n"
    )
    manifest.write_text(text)
    done = _bench_stage("fix", corpus)
    assert json.loads(done.stdout)["count"] == 1
    assert manifest.read_text() == text


def test_bench_warm_stage_relints_a_copy_with_the_cache_its_first_run_filled(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    done = _bench_stage("changed", corpus)
    assert json.loads(done.stdout)["files"] == 1
    assert sorted(path.name for path in corpus.iterdir()) == ["cm.yaml"]
