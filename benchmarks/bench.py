"""Benchmark: lint ../shared/corpus and compare with the bare libyaml parse (the floor).

Each stage runs in its own process so that its peak memory (max RSS) is its
own. Prints files/s, objects/s, the ratio to each floor and peak memory.

    python benchmarks/bench.py [--corpus DIR] [--repeat N]

Floors:
- `parse`: libyaml parses every file to events in C, no Python objects at all:
  no linter written in Python can get near it; it shows what the C part costs.
- `compose`: libyaml composes node trees with positions (what any linter that
  reports lines must build): the practical floor the target (1.5x) refers to.

`lint-1` is the whole lint, every rule, in one process; `lint` the same on
every core (the default); `lint-raw` the same without Kustomize builds (as
with no binary): `lint` minus `lint-raw` is what building the corpus's
Kustomize trees costs. Peak memory is the parent's (workers' is not added).
`fix` is `k8slint lint --fix` on a copy of the corpus (made before the clock
starts): the lint, the round trip of the files with a safe fix, and the
re-lint that reports what remains.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
DEFAULT_CORPUS = os.path.join(os.path.dirname(REPO), "shared", "corpus")


def _files(corpus: str) -> list[str]:
    sys.path.insert(0, REPO)
    from k8slint.load.discover import discover

    return [item.path for item in discover([corpus]).files if item.path]


def _read_all(paths: list[str]) -> list[str]:
    texts = []
    for path in paths:
        with open(path, "rb") as handle:
            texts.append(handle.read().decode("utf-8-sig", errors="replace"))
    return texts


def _sum_over_parsers(paths: list[str], work: Callable[[Any], int]) -> int:
    """Run `work` on a libyaml parser per file, as the loader makes them; a file
    that fails to parse counts what was done before the error."""
    from k8slint.load.loader import _Composer

    total = 0
    for text in _read_all(paths):
        parser = _Composer(text)
        try:
            total += work(parser)
        except Exception:
            pass
        finally:
            parser.dispose()
    return total


def _compose(composer: Any) -> int:
    documents = 0
    while composer.check_node():
        composer.get_node()
        documents += 1
    return documents


def stage_parse(paths: list[str]) -> int:
    return _sum_over_parsers(paths, lambda parser: parser.raw_parse())


def stage_compose(paths: list[str]) -> int:
    return _sum_over_parsers(paths, _compose)


def _lint(paths: list[str], jobs: int | None, kustomize: str | None = None) -> int:
    from k8slint.engine.registry import load_rules
    from k8slint.engine.run import Engine
    from k8slint.load.discover import InputFile
    from k8slint.presets import expand

    default, _ = expand([])  # what `k8slint lint` runs without a config
    engine = Engine(
        [rule for rule in load_rules().values() if rule.id in default],
        jobs=jobs,
        kustomize_command=kustomize,
    )
    result = engine.lint(InputFile(p, path=p) for p in paths)
    if result.internal_errors:
        raise SystemExit(f"internal errors: {result.internal_errors[:3]}")
    return result.objects


def stage_lint_one_process(paths: list[str]) -> int:
    return _lint(paths, jobs=1)


def stage_lint(paths: list[str]) -> int:
    return _lint(paths, jobs=None)


def stage_lint_raw(paths: list[str]) -> int:
    return _lint(paths, jobs=None, kustomize="none")


def stage_fix(paths: list[str]) -> int:
    """`paths` are in a copy of the corpus (see `_prepare`): --fix may rewrite them."""
    from k8slint.cli import cli

    root = os.path.commonpath(paths) if len(paths) > 1 else os.path.dirname(paths[0])
    report = io.StringIO()  # stdout carries the stage's numbers
    try:
        with contextlib.redirect_stdout(report), contextlib.redirect_stderr(report):
            cli.main(["lint", "--fix", "--quiet", root], standalone_mode=False)
    except SystemExit as done:
        if done.code not in (0, 1, None):
            raise
    return len(paths)


def _prepare(name: str, corpus: str, scratch: str) -> str:
    """The corpus a stage runs on: a copy for the stage that writes."""
    if name != "fix":
        return corpus
    copy = os.path.join(scratch, "corpus")
    shutil.copytree(corpus, copy)
    return copy


STAGES = {
    "parse": stage_parse,
    "compose": stage_compose,
    "lint-1": stage_lint_one_process,
    "lint": stage_lint,
    "lint-raw": stage_lint_raw,
    "fix": stage_fix,
}


def run_stage(name: str, corpus: str) -> None:
    """Child process: run one stage once, print its numbers as JSON."""
    with tempfile.TemporaryDirectory() as scratch:
        paths = _files(_prepare(name, corpus, scratch))
        start = time.perf_counter()
        count = STAGES[name](paths)
        elapsed = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps({"seconds": elapsed, "count": count, "files": len(paths), "peak_kib": peak_kib})
    )


def measure(name: str, corpus: str, repeat: int) -> dict:
    best: dict | None = None
    for _ in range(repeat):
        output = subprocess.run(
            [sys.executable, __file__, "--stage", name, "--corpus", corpus],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        numbers = json.loads(output)
        if best is None or numbers["seconds"] < best["seconds"]:
            best = numbers
    assert best is not None
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--stage", choices=sorted(STAGES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        run_stage(args.stage, args.corpus)
        return
    results = {name: measure(name, args.corpus, args.repeat) for name in STAGES}
    lint = results["lint"]
    files, objects = lint["files"], lint["count"]
    print(f"corpus: {args.corpus} ({files} files, {objects} objects); best of {args.repeat}")
    print(
        f"{'stage':<8} {'seconds':>8} {'files/s':>9} {'objects/s':>10} "
        f"{'x floor':>8} {'peak MiB':>9}"
    )
    for name, numbers in results.items():
        seconds = numbers["seconds"]
        ratio = seconds / results["compose"]["seconds"]
        print(
            f"{name:<8} {seconds:>8.2f} {files / seconds:>9.0f} {objects / seconds:>10.0f} "
            f"{ratio:>8.2f} {numbers['peak_kib'] / 1024:>9.0f}"
        )
    builds = lint["seconds"] - results["lint-raw"]["seconds"]
    print(f"Kustomize builds: {builds:.2f} s, {100 * builds / lint['seconds']:.0f}% of `lint`")


if __name__ == "__main__":
    main()
