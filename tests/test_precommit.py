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


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def test_hook_fails_on_a_bad_manifest_and_passes_once_fixed(tmp_path):
    scratch = tmp_path / "scratch"
    (scratch / ".github" / "workflows").mkdir(parents=True)
    (scratch / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (scratch / "pod.yaml").write_text(BAD)
    (scratch / "notes.md").write_text("not a manifest\n")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    _git(scratch, "init", "-q")
    _git(scratch, "add", ".")
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "k8slint", "--all-files"]

    failing = subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "pod.yaml:9:7: error pod-field-in-container hostNetwork" in failing.stdout
    assert "ci.yml" not in failing.stdout  # non-Kubernetes YAML is no finding

    (scratch / "pod.yaml").write_text(BAD.replace("      hostNetwork: true\n", ""))
    _git(scratch, "add", ".")
    passing = subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True)
    assert passing.returncode == 0, passing.stdout + passing.stderr
