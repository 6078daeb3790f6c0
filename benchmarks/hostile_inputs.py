"""Issue 10's "done when": every hostile input together with ../shared/corpus.

Builds the reproducers of the issue in a temporary directory (deep nesting,
a symlink to /dev/zero, a FIFO, a file over the size limit, a 4,400-digit
integer, control characters in keys, symlinks out of the tree and in a loop,
bad merge keys, bad list items, broken UTF-16), lints them in one run with
the corpus, and checks: exit code 1, no traceback, and the corpus's findings
exactly those of a run over the corpus alone. Prints what each reproducer got.

    python benchmarks/hostile_inputs.py [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from k8slint.report.escape import printable

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
OBJECT = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"


def build(directory: Path) -> None:
    """Write every reproducer into `directory` (a fresh, empty one)."""
    nested = "{a: " * 500 + "1" + "}" * 500
    (directory / "deep.yaml").write_text(f"{OBJECT}data: {nested}\n---\n{OBJECT}data: {{k: 1}}\n")
    (directory / "zero.yaml").symlink_to("/dev/zero")
    (directory / "urandom.yaml").symlink_to("/dev/urandom")
    os.mkfifo(directory / "fifo.yaml")
    with open(directory / "huge.yaml", "wb") as huge:
        huge.truncate(17 * 2**20)  # sparse: over the limit without using the disk
    (directory / "long-integer.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec:\n"
        f"  replicas: {'9' * 4400}\n---\n{OBJECT}data: {{k: 1}}\n"
    )
    every_c0 = "".join(f"\\x{code:02x}" for code in range(32))
    (directory / "control.yaml").write_text(
        f'{OBJECT}data: {{"{every_c0}": 1, "bogus\\n::warning file=x::INJECTED": 2}}\n'
    )
    outside = directory.parent / f"{directory.name}-outside.yaml"
    outside.write_text(f"{OBJECT}data: {{secret: 1}}\n")
    (directory / "outside.yaml").symlink_to(outside)
    (directory / "loop.yaml").symlink_to(directory / "loop.yaml")
    merges = f"{OBJECT}data:\n  <<: 5\n---\n{OBJECT}x:\n  <<: [1, s]\n"
    (directory / "merge.yaml").write_text(merges)
    (directory / "lists.yaml").write_text(
        "apiVersion: v1\nkind: List\nitems: null\n---\napiVersion: v1\nkind: List\n"
        "items: {a: 1}\n---\napiVersion: v1\nkind: ConfigMapList\nitems: 5\n---\n"
        "apiVersion: v1\nkind: List\nitems: [5, x]\n"
    )
    (directory / "utf16.yaml").write_bytes(b"\xff\xfe\x00\xd8a\x00")
    (directory / "range.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: r}\nspec:\n"
        f"  replicas: 1{'0' * 74}\n  revisionHistoryLimit: -{'9' * 30}\n"
    )


def lint(*paths: Path) -> tuple[int, dict, str]:
    result = subprocess.run(
        [sys.executable, "-m", "k8slint", "lint", *map(str, paths), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=3600,
    )
    return result.returncode, json.loads(result.stdout or "{}"), result.stderr


def corpus_findings(report: dict) -> Counter[tuple]:
    return Counter(
        (f["file"], f["line"], f["column"], f["rule"], f["message"])
        for f in report.get("findings", [])
        if f["file"].startswith(str(CORPUS))
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="build the reproducers here and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        directory = args.keep or Path(temporary) / "hostile"
        directory.mkdir(parents=True)
        build(directory)
        code, report, errors = lint(directory, CORPUS)
        _, alone, _ = lint(CORPUS)
    for finding in report["findings"]:
        if not finding["file"].startswith(str(CORPUS)):
            where = f"{finding['file']}:{finding['line']}"
            print(printable(f"{where}: {finding['rule']} {finding['message'][:90]}"))
    for notice in (n for n in report["notices"] if not n["file"].startswith(str(CORPUS))):
        print(f"{notice['file']}: note: {notice['message'][:100]}")
    same = corpus_findings(report) == corpus_findings(alone)
    traceback = "Traceback" in errors
    print(f"exit code {code}; traceback: {traceback}; corpus findings unchanged: {same}")
    return 0 if code == 1 and not traceback and same else 1


if __name__ == "__main__":
    sys.exit(main())
