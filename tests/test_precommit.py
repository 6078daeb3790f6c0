"""The pre-commit hook, for real: `pre-commit run` on a scratch repository, as a
user's commit would run it.

The hook definition (.pre-commit-hooks.yaml: entry, file types, serial) always runs
through pre-commit, as a local hook with this environment's `k8slint`. Installing
this checkout as a `language: python` hook repository, as users get it, makes pip
unpack the dependencies (kubernetes-validate's 100 MB of schemas) into a new
environment: about 17 CPU-seconds of pip, so it runs with `--full` (CI does).
(pre-commit-uv would make it 6, but its `.pth` file imports pathlib and typing
into every Python process of the test environment, k8slint's own start-up
included: tests/test_startup.py, and every one-file lint the suite or the
benchmark times, would measure the plugin.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
import yaml
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


def _local_hook(tmp_path) -> tuple[str, dict[str, str]]:
    """The hook as .pre-commit-hooks.yaml defines it, run by pre-commit as a local
    hook on this environment's `k8slint`, importing this checkout."""
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    config = {"repos": [{"repo": "local", "hooks": [{**hook, "language": "system"}]}]}
    here = os.path.dirname(sys.executable)
    env = {
        "PATH": here + os.pathsep + os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    return yaml.safe_dump(config), env


def _installed_hook(tmp_path) -> tuple[str, dict[str, str]]:
    """This checkout as a hook repository, installed by pre-commit with pip. Without
    byte-compiling what pip installs: compiling the dependencies is a quarter of the
    install's time, and the hook runs the same from source."""
    hook_repo, rev = _hook_repository(tmp_path)
    config = f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks: [{{id: k8slint}}]\n"
    return config, {"PIP_NO_COMPILE": "1"}


@pytest.mark.parametrize("hook", [_local_hook, _installed_hook], ids=["local", "installed"])
def test_hook_fails_on_a_bad_manifest_and_passes_once_fixed(tmp_path, hook, full):
    if hook is _installed_hook and not full:
        pytest.skip("installs the hook environment with pip: run with --full (CI does)")
    config, hook_env = hook(tmp_path)
    env = {**os.environ, **IDENTITY, "PRE_COMMIT_HOME": str(tmp_path / "cache"), **hook_env}
    scratch = tmp_path / "scratch"
    (scratch / ".github" / "workflows").mkdir(parents=True)
    (scratch / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (scratch / "pod.yaml").write_text(BAD)
    (scratch / "notes.md").write_text("not a manifest\n")
    (scratch / ".pre-commit-config.yaml").write_text(config)
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
