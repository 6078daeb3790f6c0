"""Command-line paths to the files to lint.

Directories are walked for manifests; a file named explicitly is linted
whatever its extension (that is what the user asked for). Helm charts are
recognised and skipped with a notice, since their templates are not YAML yet;
so are `testdata` directories met while walking (fixtures and golden files, not
what gets applied), unless named on the command line.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass

from k8slint.kube.filekinds import HELM_TEMPLATE, SKIPPED_NOTICES, in_chart_templates

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})


@dataclass(frozen=True, slots=True)
class InputFile:
    """A file to lint: `display` is the path as the user will see it."""

    display: str
    path: str | None = None
    data: bytes | None = None


@dataclass(frozen=True, slots=True)
class Discovery:
    files: list[InputFile]
    notices: list[tuple[str, str]]
    missing: list[str]


def discover(paths: list[str], stdin_name: str = "<stdin>") -> Discovery:
    files: list[InputFile] = []
    notices: list[tuple[str, str]] = []
    missing: list[str] = []
    seen: set[str] = set()
    for given in paths or ["."]:
        if given == STDIN:
            files.append(InputFile(stdin_name, data=sys.stdin.buffer.read()))
        elif os.path.isdir(given):
            for path in _walk(given, notices):
                _add(files, seen, path)
        elif in_chart_templates(given):
            notices.append((_display(given), SKIPPED_NOTICES[HELM_TEMPLATE]))
        elif os.path.exists(given):
            _add(files, seen, given)
        else:
            missing.append(given)
    return Discovery(files, notices, missing)


_TESTDATA = "testdata"
_TESTDATA_NOTICE = (
    "test data directory: skipped (Go tooling ignores `testdata`; its golden files are "
    "not deployed); name it on the command line to lint it"
)


def _add(files: list[InputFile], seen: set[str], path: str) -> None:
    key = os.path.realpath(path)
    if key not in seen:
        seen.add(key)
        files.append(InputFile(_display(path), path=path))


def _display(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def _walk(top: str, notices: list[tuple[str, str]]) -> Iterator[str]:
    for directory, subdirs, names in os.walk(top):
        if "Chart.yaml" in names and "templates" in subdirs:
            notices.append(
                (_display(os.path.join(directory, "templates")), SKIPPED_NOTICES[HELM_TEMPLATE])
            )
            subdirs.remove("templates")
        if _TESTDATA in subdirs:
            notices.append((_display(os.path.join(directory, _TESTDATA)), _TESTDATA_NOTICE))
            subdirs.remove(_TESTDATA)
        subdirs[:] = sorted(d for d in subdirs if not d.startswith(".") and d not in _SKIPPED_DIRS)
        for name in sorted(names):
            if name.endswith(MANIFEST_SUFFIXES) and not name.startswith("."):
                yield os.path.join(directory, name)
