"""Helpers shared by the tests: lint in-process, read `# expect:` comments."""

from __future__ import annotations

import fcntl
import os
import pickle
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
import yaml

from k8slint.engine.registry import load_rules
from k8slint.engine.run import Engine, LintResult
from k8slint.kube.openapi import Version, parse_version
from k8slint.load.discover import InputFile, discover
from k8slint.presets import expand as expand_presets

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"
SHARED = REPO.parent / "shared"


def shared(*parts: str) -> Path:
    """A path under ../shared, which CI always lays beside the repository. Missing,
    it fails the test that needs it, loudly: a test must never pass on nothing."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.fail(
            f"{path} is missing: this test needs ../shared (the corpus, peer suites and "
            "schemas) beside the repository, as CI lays it out",
            pytrace=False,
        )
    return path


T = TypeVar("T")


def once_per_session(
    tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[], T]
) -> T:
    """`make()` once per test session, however many xdist workers ask: the first
    computes it under a lock and pickles it into the session's temporary directory,
    the others wait and load it. A corpus lint costs seconds; several test files
    need the same one."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:  # one process: its own fixture cache
        return make()
    # A worker's base temp is <session>/popen-gwN; the session directory is shared.
    session = tmp_path_factory.getbasetemp().parent
    stored = session / f"{name}.pickle"
    with open(session / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stored.exists():
            return pickle.loads(stored.read_bytes())
        value = make()
        stored.write_bytes(pickle.dumps(value))
        return value


def dump_all(documents: list) -> str:
    """`yaml.safe_dump_all` through libyaml's emitter: the same text, five times
    faster (the property tests dump thousands of objects)."""
    return yaml.dump_all(documents, Dumper=yaml.CSafeDumper)


def corpus_files() -> list[str]:
    """The corpus's lintable files (testdata skipped), sorted: samples are slices of it."""
    return sorted(item.path for item in discover([str(shared("corpus"))]).files if item.path)


_EXPECT = re.compile(r"#\s*expect:\s*([\w\-, ]+)")
_VERSION = re.compile(r"#\s*k8slint-test:\s*kubernetes-version=([\w.]+)")


def engine_for(
    rule_ids: list[str] | None = None,
    version: Version | None = None,
    strict: bool = True,
    jobs: int | None = None,
    kustomize_command: str | None = None,
) -> Engine:
    """An engine for these rules; by default the default preset's, as `k8slint lint` runs.
    `kustomize_command="none"` lints Kustomize trees raw."""
    rules = load_rules()
    if rule_ids is None:
        rule_ids = sorted(expand_presets([])[0])
    chosen = [rules[rule_id] for rule_id in rule_ids]
    return Engine(chosen, version, strict, jobs, kustomize_command=kustomize_command)


def lint_paths(
    paths: list[str],
    rule_ids: list[str] | None = None,
    version: Version | None = None,
    jobs: int | None = None,
    kustomize_command: str | None = None,
) -> LintResult:
    engine = engine_for(rule_ids, version, jobs=jobs, kustomize_command=kustomize_command)
    return engine.lint(discover(paths).files)


def lint_text(
    text: str,
    rule_ids: list[str] | None = None,
    version: Version | None = None,
    name: str = "manifest.yaml",
    strict: bool = True,
) -> LintResult:
    item = InputFile(name, data=text.encode("utf-8"))
    return engine_for(rule_ids, version, strict).lint([item])


def fixture_case_files(case: Path) -> list[Path]:
    if case.is_dir():
        return sorted(p for p in case.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    return [case]


def fixture_rule(case: Path) -> str:
    """`fixtures/<rule-id>.yaml`, `fixtures/<rule-id>--<variant>.yaml` or a folder so named."""
    return case.name.split("--")[0].removesuffix(".yaml")


def fixture_version(files: list[Path]) -> Version | None:
    for path in files:
        match = _VERSION.search(path.read_text(encoding="utf-8", errors="replace"))
        if match:
            return parse_version(match.group(1))
    return None


def expected_findings(files: list[Path]) -> Counter[tuple[str, int, str]]:
    """Multiset of (file, line, rule) from `# expect: rule-a, rule-b` comments."""
    expected: Counter[tuple[str, int, str]] = Counter()
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        for number, line in enumerate(text.splitlines(), start=1):
            match = _EXPECT.search(line)
            if match:
                for rule in match.group(1).split(","):
                    if rule.strip():
                        expected[(os.fspath(path), number, rule.strip())] += 1
    return expected


def actual_findings(result: LintResult) -> Counter[tuple[str, int, str]]:
    return Counter((f.file, f.line, f.rule) for f in result.findings)


def web_deployment(container_lines: str = "", namespace: str | None = None) -> str:
    """The Deployment many tests start from, with `container_lines` (YAML at the
    container's indentation) added to its one container, `web`, from line 15 on
    (line 16 with a namespace)."""
    extra = "".join(f"          {line}\n" for line in container_lines.splitlines())
    namespace_line = f"  namespace: {namespace}\n" if namespace else ""
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
        f"{namespace_line}spec:\n  selector:\n    matchLabels: {{app: web}}\n"
        "  template:\n    metadata:\n      labels: {app: web}\n    spec:\n"
        "      containers:\n        - name: web\n          image: nginx:1.27\n"
        f"{extra}"
    )


def web_pod(container_lines: str = "") -> str:
    """The Pod many tests start from, with `container_lines` added to its one
    container, `web`, from line 9 on."""
    extra = "".join(f"      {line}\n" for line in container_lines.splitlines())
    return (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n"
        f"    - name: web\n      image: nginx:1.27\n{extra}"
    )


def assert_real_positions(result: LintResult) -> None:
    """Every finding points at a line and column that exist in its file."""
    texts: dict[str, list[str]] = {}
    for finding in result.findings:
        if finding.file not in texts:
            with open(finding.file, encoding="utf-8-sig") as handle:
                texts[finding.file] = handle.read().splitlines()
        lines = texts[finding.file]
        assert 1 <= finding.line <= len(lines), finding
        assert 1 <= finding.column <= len(lines[finding.line - 1]) + 1, finding


def everything(result: LintResult) -> tuple:
    """Every field of a run's result a report may show (a Finding's equality
    leaves some out): what a cached run must give as a cold one does."""
    findings = [(f, f.object, f.identity, f.fix, f.builds) for f in result.findings]
    return (
        findings,
        result.notices,
        result.not_validated,
        result.inventory,
        result.files,
        result.objects,
    )
