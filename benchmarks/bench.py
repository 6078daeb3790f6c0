"""Benchmark: lint ../shared/corpus and compare with the bare libyaml parse (the floor).

Each stage runs in its own process so that its peak memory (max RSS) is its
own. Prints wall and CPU seconds, files/s, objects/s, the ratio to the compose
floor and peak memory.

    python benchmarks/bench.py [--corpus DIR] [--repeat N]
    python benchmarks/bench.py --scale [--repeat N] [--timeout S]

Floors:
- `parse`: libyaml parses every file to events in C, no Python objects at all:
  no linter written in Python can get near it; it shows what the C part costs.
- `compose`: libyaml composes node trees with positions (what any linter that
  reports lines must build): the practical floor the targets refer to (the
  "x floor" column). It runs with Python's cyclic collector on, as a plain
  program does; the lint turns the collector off for its run (engine/run.py),
  and so does `compose-nogc`, the same work without it: about half the time,
  so against that floor every ratio is about twice as large. Both are shown
  so that a ratio is never read against the wrong one.

`lint-1` is the whole lint, every rule, in one process; `lint` the same on
every core (the default); `lint-raw` the same without Kustomize builds (as
with no binary): `lint` minus `lint-raw` is what building the corpus's
Kustomize trees costs. Peak memory is the parent's (workers' is not added).
`fix` is `k8slint lint --fix` on a copy of the corpus (made before the clock
starts): the lint, the round trip of the files with a safe fix, and the
re-lint that reports what remains.

The cache (`k8slint lint` as a user runs it, through the CLI, with a cache
directory of the stage's own): `cold` fills an empty cache, `warm` re-lints
the unchanged corpus with the cache a first run filled, `changed` does the
same after one file was edited (in a copy of the corpus) with a comment, and
`changed-data` after the value of a label of one Deployment was: a comment
leaves what the cross-object checks read as it was (their verdicts are
reused), a label does not (they run again).

`--scale` measures how the run grows with the input (issue 11): copies of the
corpus side by side (x1, x4, x16, made in a temporary directory) and the
synthetic one-namespace trees of `synthetic.py` (N Deployment + Service + PDB,
N = 1k, 5k, 20k), each linted in one process without Kustomize builds, with
the compose floor of the same tree; a stage that runs past `--timeout` is
shown as such.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import re
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
SETTLED_SECONDS = 3.5
"""More than the cache's `SETTLED_NS` (3 s)."""


_DISCOVERED: dict[str, Any] = {}
"""The `InputFile`s discovery made, by path: the lint stages take them as the CLI
does (with the resolved paths discovery computed while walking the tree)."""


def _files(corpus: str) -> list[str]:
    sys.path.insert(0, REPO)
    from k8slint.load.discover import discover

    files = [item for item in discover([corpus]).files if item.path]
    _DISCOVERED.update((item.path, item) for item in files)
    return [item.path for item in files]


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


def stage_compose_nogc(paths: list[str]) -> int:
    import gc

    gc.disable()
    return _sum_over_parsers(paths, _compose)


def _lint(paths: list[str], jobs: int | None, kustomize: str | None = None) -> int:
    """The engine's lint, as `k8slint lint` runs it: with the cyclic collector off
    for the process (`k8slint.console.main`), imports included. On, it ran once
    over the imports and again over the whole run's objects as soon as the
    result was read, a pass no user's run makes (~0.05 s of 1.4 on the corpus)."""
    gc.disable()
    try:
        return _engine_lint(paths, jobs, kustomize)
    finally:
        gc.enable()


def _engine_lint(paths: list[str], jobs: int | None, kustomize: str | None) -> int:
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
    result = engine.lint(_DISCOVERED.get(p) or InputFile(p, path=p) for p in paths)
    if result.internal_errors:
        raise SystemExit(f"internal errors: {result.internal_errors[:3]}")
    return result.objects


def stage_lint_one_process(paths: list[str]) -> int:
    return _lint(paths, jobs=1)


def stage_lint(paths: list[str]) -> int:
    return _lint(paths, jobs=None)


def stage_lint_raw(paths: list[str]) -> int:
    return _lint(paths, jobs=None, kustomize="none")


def _cli_lint(root: str, *options: str) -> None:
    """`k8slint lint ROOT` as a user runs it, its report discarded: with the cyclic
    collector off, as the console entry point (`k8slint.console.main`) turns it off
    for the process (on, it scans the whole run's objects once the lint is done)."""
    from k8slint.cli import cli

    report = io.StringIO()  # stdout carries the stage's numbers
    gc.disable()
    try:
        with contextlib.redirect_stdout(report), contextlib.redirect_stderr(report):
            cli.main(["lint", "--format", "json", *options, root], standalone_mode=False)
    except SystemExit as done:
        if done.code not in (0, 1, None):
            raise
    finally:
        gc.enable()


def _root(paths: list[str]) -> str:
    """The directory the paths share. Timed within the cache stages, so from the
    first and last path in order alone: every path between them shares what
    they share (on the corpus, a walk of all 1,876 was a fifth of `changed`)."""
    if len(paths) == 1:
        return os.path.dirname(paths[0])
    return os.path.commonpath([min(paths), max(paths)])


def stage_fix(paths: list[str]) -> int:
    """`paths` are in a copy of the corpus (see `_prepare`): --fix may rewrite them."""
    _cli_lint(_root(paths), "--fix", "--no-cache")
    return len(paths)


def _cache_dir(paths: list[str]) -> str:
    return os.path.join(os.path.dirname(_root(paths)), "bench-cache")


def stage_cold(paths: list[str]) -> int:
    """The first run: every file linted and written to an empty cache."""
    _cli_lint(_root(paths), "--cache-dir", _cache_dir(paths))
    return len(paths)


def _prepare(name: str, corpus: str, scratch: str) -> str:
    """The corpus a stage runs on: a copy for the stages that write into it or
    beside it, and for `warm`/`changed` the first run that fills the cache."""
    if name not in ("fix", "cold", "warm", "changed", "changed-data"):
        return corpus
    copy = os.path.join(scratch, "corpus")
    shutil.copytree(corpus, copy)
    if name in ("warm", "changed", "changed-data"):
        # What was written in the last seconds before a run is not vouched for by
        # a stat (docs/cache.md, "racily clean"): a re-lint is of a tree written
        # before the first run, not of a copy made a moment before it.
        time.sleep(SETTLED_SECONDS)
        paths = _files(copy)
        stage_cold(paths)
        if name == "changed":
            with open(paths[len(paths) // 2], "a", encoding="utf-8") as handle:
                handle.write("\n# edited by the benchmark\n")
        elif name == "changed-data":
            _edit_a_label(paths[len(paths) // 2 :] + paths)
    return copy


_LABEL = re.compile(r"^(\s*labels:\s*\n\s+[\w./-]+:\s*)([\w.-]+)$", re.MULTILINE)


def _edit_a_label(paths: list[str]) -> None:
    """Change the value of the first label of the first Deployment in `paths`:
    an edit of what the cross-object checks read (the pods a selector picks)."""
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
        if "kind: Deployment" in text and _LABEL.search(text):
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(_LABEL.sub(r"\g<1>\g<2>-edited", text, count=1))
            return
    raise SystemExit("changed-data: no Deployment with labels in the corpus")


def stage_lint_scale(paths: list[str]) -> int:
    """The scale suite's lint: one process, no Kustomize builds, as in issue 11."""
    return _lint(paths, jobs=1, kustomize="none")


STAGES = {
    "parse": stage_parse,
    "compose": stage_compose,
    "compose-nogc": stage_compose_nogc,
    "lint-1": stage_lint_one_process,
    "lint": stage_lint,
    "lint-raw": stage_lint_raw,
    "fix": stage_fix,
    "cold": stage_cold,
    "warm": stage_cold,  # after `_prepare` filled the cache
    "changed": stage_cold,  # after `_prepare` filled the cache and edited a file
    "changed-data": stage_cold,  # the same with an edit of a label's value
}
SCALE_STAGES = {"compose": stage_compose, "lint-1-raw": stage_lint_scale}
ALL_STAGES = {**STAGES, **SCALE_STAGES}


def _cpu_seconds() -> float:
    """CPU of this process and of the children it waited for (workers, Kustomize)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_stage(name: str, corpus: str) -> None:
    """Child process: run one stage once, print its numbers as JSON."""
    with tempfile.TemporaryDirectory() as scratch:
        paths = _files(_prepare(name, corpus, scratch))
        cpu, start = _cpu_seconds(), time.perf_counter()
        count = ALL_STAGES[name](paths)
        elapsed, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    numbers = {"seconds": elapsed, "cpu": cpu, "count": count, "files": len(paths)}
    print(json.dumps({**numbers, "peak_kib": peak_kib}))


def measure(name: str, corpus: str, repeat: int, timeout: float | None = None) -> dict | None:
    """The fastest of `repeat` runs of a stage, each in a fresh process; None when
    a run took longer than `timeout` or the code under test lacks what the stage
    needs (an option the CLI does not have yet)."""
    best: dict | None = None
    for _ in range(repeat):
        try:
            done = subprocess.run(
                [sys.executable, __file__, "--stage", name, "--corpus", corpus],
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired:
            return None
        if done.returncode != 0:
            print(f"{name}: failed: {done.stderr.strip().splitlines()[-1:]}", file=sys.stderr)
            return None
        numbers = json.loads(done.stdout)
        if best is None or numbers["seconds"] < best["seconds"]:
            best = numbers
    return best


def _row(label: str, numbers: dict | None, floor: dict | None, timeout: float | None) -> str:
    if numbers is None:
        return f"{label:<22} {'(failed or over ' + str(timeout) + ' s)':>40}"
    seconds = numbers["seconds"]
    ratio = f"{seconds / floor['seconds']:.2f}" if floor else "-"
    return (
        f"{label:<22} {seconds:>8.2f} {numbers['cpu']:>8.2f} "
        f"{numbers['files'] / seconds:>9.0f} {numbers['count'] / seconds:>10.0f} "
        f"{ratio:>8} {numbers['peak_kib'] / 1024:>9.0f}"
    )


HEADER = (
    f"{'stage':<22} {'wall s':>8} {'CPU s':>8} {'files/s':>9} {'items/s':>10} "
    f"{'x floor':>8} {'peak MiB':>9}"
)


def _copies(corpus: str, scratch: str, count: int) -> str:
    """`count` copies of the corpus side by side, as a monorepo that vendors them."""
    root = os.path.join(scratch, f"corpus-x{count}")
    for number in range(count):
        shutil.copytree(corpus, os.path.join(root, f"copy{number}"), symlinks=True)
    return root


def _synthetic(scratch: str, count: int) -> str:
    sys.path.insert(0, HERE)
    from synthetic import write_tree

    root = os.path.join(scratch, f"synthetic-{count}")
    os.makedirs(root)
    write_tree(root, count)
    return root


def scale(corpus: str, repeat: int, timeout: float | None) -> None:
    """How the one-process lint grows with the input, against the compose floor."""
    print(HEADER)
    with tempfile.TemporaryDirectory() as scratch:
        trees = [(f"corpus x{n}", lambda n=n: _copies(corpus, scratch, n)) for n in (1, 4, 16)]
        trees += [
            (f"synthetic N={n}", lambda n=n: _synthetic(scratch, n)) for n in (1000, 5000, 20000)
        ]
        lint_seconds: dict[str, float] = {}
        for label, make in trees:
            tree = make()
            floor = measure("compose", tree, repeat, timeout)
            lint = measure("lint-1-raw", tree, repeat, timeout)
            print(_row(f"{label} compose", floor, None, timeout))
            print(_row(f"{label} lint", lint, floor, timeout), flush=True)
            if lint is not None:
                lint_seconds[label] = lint["seconds"]
            shutil.rmtree(tree)
    for big, small, limit in (
        ("corpus x16", "corpus x1", 17),
        ("synthetic N=20000", "synthetic N=1000", 25),
    ):
        if big in lint_seconds and small in lint_seconds:
            growth = lint_seconds[big] / lint_seconds[small]
            print(f"{big} / {small}: {growth:.1f}x (target <= {limit}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=DEFAULT_CORPUS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", action="store_true", help="the scale suite (issue 11)")
    parser.add_argument("--timeout", type=float, help="seconds a stage may run (scale suite)")
    parser.add_argument("--stage", choices=sorted(ALL_STAGES), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage:
        run_stage(args.stage, args.corpus)
        return
    if args.scale:
        scale(args.corpus, args.repeat, args.timeout)
        return
    results = {name: measure(name, args.corpus, args.repeat) for name in STAGES}
    lint, floor = results["lint"], results["compose"]
    assert lint is not None and floor is not None, "the lint itself failed"
    print(
        f"corpus: {args.corpus} ({lint['files']} files, {lint['count']} objects);"
        f" best of {args.repeat}"
    )
    print(HEADER)
    for name, numbers in results.items():
        print(_row(name, numbers, floor, None))
    raw = results["lint-raw"]
    if raw is not None:
        builds = lint["seconds"] - raw["seconds"]
        print(f"Kustomize builds: {builds:.2f} s, {100 * builds / lint['seconds']:.0f}% of `lint`")


if __name__ == "__main__":
    main()
