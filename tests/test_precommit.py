"""The pre-commit hook, for real: `pre-commit try-repo` installs this checkout as a
hook repository and runs it on a scratch repository, as a user's commit would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from support import REPO, web_pod

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (REPO / ".git").exists(),
    reason="needs git and a git checkout of k8slint",
)

BAD = web_pod("hostNetwork: true")
WORKFLOW = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps: [{run: 'true'}]\n"


IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def _git(cwd, *args) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **IDENTITY},
    )
    return done.stdout.strip()


def _hook_repository(tmp_path) -> tuple[str, str]:
    """This checkout as it is (uncommitted changes included), committed once into a
    scratch repository: both runs below use one hook environment, installed once.
    (`pre-commit try-repo` would make a new commit, so a new environment, per run.)"""
    shadow = tmp_path / "hook-repo"
    listed = _git(REPO, "ls-files", "-co", "--exclude-standard", "-z").split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (shadow / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, shadow / name)
    _git(shadow, "init", "-q")
    _git(shadow, "add", ".")
    _git(shadow, "commit", "-q", "-m", "k8slint under test")
    return str(shadow), _git(shadow, "rev-parse", "HEAD")


def test_hook_fails_on_a_bad_manifest_and_passes_once_fixed(tmp_path):
    env = {**os.environ, **IDENTITY, "PRE_COMMIT_HOME": str(tmp_path / "cache")}
    hook_repo, rev = _hook_repository(tmp_path)
    scratch = tmp_path / "scratch"
    (scratch / ".github" / "workflows").mkdir(parents=True)
    (scratch / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (scratch / "pod.yaml").write_text(BAD)
    (scratch / "notes.md").write_text("not a manifest\n")
    (scratch / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks: [{{id: k8slint}}]\n"
    )
    _git(scratch, "init", "-q")
    _git(scratch, "add", ".")
    command = [sys.executable, "-m", "pre_commit", "run", "--all-files"]

    failing = subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "pod.yaml:9:7: error pod-field-in-container hostNetwork" in failing.stdout
    assert "ci.yml" not in failing.stdout  # non-Kubernetes YAML is no finding

    (scratch / "pod.yaml").write_text(BAD.replace("      hostNetwork: true\n", ""))
    _git(scratch, "add", ".")
    passing = subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True)
    assert passing.returncode == 0, passing.stdout + passing.stderr
