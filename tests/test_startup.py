"""Start-up and exit of the console command (issue 11, item 4).

A one-file lint (pre-commit's usual run) must not import what it does not use,
and the process leaves without freeing its heap once the report is flushed: the
report must still be whole, on a file, a pipe that closes early, or a full disk.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

VALID = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: ghcr.io/example/web:1.2.3
          resources: {requests: {cpu: 100m, memory: 64Mi}, limits: {memory: 64Mi}}
"""
INVALID = VALID.replace("replicas: 2", 'replicas: "2"')
"""A schema error: worded without jsonschema too (`kube.schema_errors`)."""

HEAVY = (
    "jsonschema",
    "multiprocessing",
    "concurrent.futures",  # Kustomize builds run in threads: none without a kustomization
    "subprocess",  # the builds themselves
    "k8slint.engine.baseline",  # --baseline, --write-baseline
    "k8slint.cache",  # not with --no-cache (see below)
    "pickle",  # the cache's entries, packed CRD schemas
    "k8slint.cache.builds",  # with the cache: a Kustomize root's inputs
    "k8slint.cache.plan",  # a run of more than one file, or of a Kustomize file
    "tempfile",  # the cache writes its entries' temporary files itself
    "random",
    "traceback",  # an internal error's notice
    "difflib",  # "did you mean": a misspelt field or kind
    "k8slint.kustomize.raw",  # a Kustomize root that did not build
    "k8slint.kustomize.origin",  # one that did
    "signal",  # worker processes' signal handlers
    "shlex",  # a configured Kustomize command, a failed build's message
    "ipaddress",  # the addresses of Services and Ingresses, CIDRs of NetworkPolicies
)
"""Modules a one-file lint of a valid manifest has no use for."""


def _modules_after_lint(
    path: Path, *options: str, among: tuple[str, ...] = HEAVY, prelude: str = ""
) -> list[str]:
    """Which of `among` a `k8slint lint path` run imported (in a fresh interpreter,
    after `prelude`)."""
    script = (
        f"import sys\n{prelude}"
        "from k8slint.cli import cli\n"
        "try:\n"
        f"    cli(['lint', *{options!r}, {str(path)!r}], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        f"print('imported:' + ','.join(m for m in {among!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, check=True
    )
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("imported:"), done.stdout
    return [name for name in last.removeprefix("imported:").split(",") if name]


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        (VALID, ["--no-cache"], []),
        (VALID, [], ["k8slint.cache", "pickle"]),
        (INVALID, ["--no-cache"], []),
    ],
)
def test_a_one_file_lint_imports_only_what_it_uses(
    tmp_path: Path, text: str, options: list[str], expected: list[str]
):
    path = tmp_path / "web.yaml"
    path.write_text(text)
    assert _modules_after_lint(path, *options) == expected


def test_a_raw_kustomize_run_imports_no_threads_no_cache_and_no_origin(tmp_path: Path):
    # A root with no command to build it is linted raw: no build runs, nothing is
    # looked up in a cache there is not, no built object is matched to its files.
    (tmp_path / "web.yaml").write_text(VALID)
    (tmp_path / "kustomization.yaml").write_text("resources: [web.yaml]\nnamespace: shop\n")
    options = ("--no-cache", "--kustomize-command", "none")
    imported = _modules_after_lint(tmp_path, *options)
    assert "k8slint.kustomize.raw" in imported  # the root was seen, and linted raw
    assert not {"concurrent.futures", "k8slint.cache", "k8slint.kustomize.origin"} & set(imported)


NOT_WARM = (
    "yaml",
    "k8slint.load.loader",
    "k8slint.checks.api",
    "k8slint.kube.index",
    "k8slint.kube.definitions",
    "k8slint.kube.fastcheck",
)
"""What a run whose result is cached has no use for: it parses nothing, binds
no check, indexes no object and reads no schema."""


def test_a_warm_run_imports_no_yaml_no_check_and_no_index(tmp_path: Path):
    path, cache = tmp_path / "web.yaml", tmp_path / "cache"
    path.write_text(VALID)
    # The witness vouches for files written just before (as in tests/test_cache.py).
    settled = "import k8slint.cache.witness\nk8slint.cache.witness.SETTLED_NS = 0\n"
    options = ("--cache-dir", str(cache))
    cold = _modules_after_lint(path, *options, among=NOT_WARM, prelude=settled)
    assert cold == list(NOT_WARM)
    assert _modules_after_lint(path, *options, among=NOT_WARM, prelude=settled) == []


def test_a_run_entry_found_by_its_key_imports_no_yaml(tmp_path: Path):
    """A file linted again just after an edit (the witness cannot vouch for it
    yet): the run's key classifies the file, which reads no YAML where there is
    no kustomization, and the run's entry is the result."""
    path, cache = tmp_path / "web.yaml", tmp_path / "cache"
    path.write_text(VALID)
    options = ("--cache-dir", str(cache))
    assert _modules_after_lint(path, *options, among=NOT_WARM) == list(NOT_WARM)
    assert _modules_after_lint(path, *options, among=NOT_WARM) == []


def _process(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "k8slint", *args], cwd=REPO, timeout=120, **kwargs)


def test_the_report_is_whole_when_the_process_leaves_early(tmp_path: Path):
    """Exit without teardown, after a flush: the JSON report is complete on a pipe
    and in an --output file, and the exit code is the findings' code."""
    path = tmp_path / "web.yaml"
    path.write_text(INVALID)
    piped = _process("lint", "--format", "json", str(path), capture_output=True, text=True)
    assert piped.returncode == 1, piped.stderr
    assert [f["rule"] for f in json.loads(piped.stdout)["findings"]] == ["schema"]
    output = tmp_path / "report.json"
    written = _process("lint", "--format", "json", "-o", str(output), str(path))
    assert written.returncode == 1
    assert json.loads(output.read_text()) == json.loads(piped.stdout)


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path: Path):
    """`k8slint lint . | head -1`: the rest of the report has nowhere to go."""
    for index in range(40):
        (tmp_path / f"web{index}.yaml").write_text(INVALID)
    command = [sys.executable, "-m", "k8slint", "lint", str(tmp_path)]
    with subprocess.Popen(
        command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()
        errors = process.stderr.read().decode()
        code = process.wait(timeout=120)
    assert b"schema" in first
    assert "Traceback" not in errors
    assert code in (1, 2)


def test_a_schema_document_is_read_once_however_it_is_asked_for():
    """The newest version's definitions (1.8 MB of JSON) were parsed twice in a
    one-file lint: once for the schema check, once for the names of built-in kinds."""
    from k8slint.kube.openapi import definitions, newest_version

    version = newest_version()
    document = definitions(version, True)
    assert definitions(version) is document
    assert definitions(version, strict=True) is document


def test_the_console_command_turns_the_collector_off_before_importing_click():
    """`k8slint.console.main` (the `k8slint` script, `python -m k8slint`): the
    collections that imports set off would rescan every object made so far."""
    script = (
        "import gc, sys\n"
        "class Spy:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'click':\n"
        "            print('collector on:', gc.isenabled(), flush=True)\n"
        "sys.meta_path.insert(0, Spy())\n"
        "sys.argv = ['k8slint', '--version']\n"
        "from k8slint.console import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=120
    )
    assert done.stdout.splitlines()[0] == "collector on: False", done.stdout + done.stderr
    assert "k8slint" in done.stdout
