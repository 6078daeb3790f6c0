"""Command-line paths to the files to lint.

Directories are walked for manifests; a file named explicitly is linted
whatever its extension (that is what the user asked for). Helm charts are
recognised and skipped with a notice, since their templates are not YAML yet;
so are `testdata` directories met while walking (fixtures and golden files, not
what gets applied), unless named on the command line.

A walk reads regular files only, and only inside the tree it walks: a FIFO
would block the run, a device never ends, and a symlink out of the tree could
make `--show-source` print a file the user never meant to lint. Each is
skipped with a notice; a path named on the command line is read whatever it
is (a pipe such as `<(helm template .)` included), up to the size limit.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from typing import NamedTuple

from k8slint.kube.filekinds import HELM_TEMPLATE, SKIPPED_NOTICES, in_chart_templates
from k8slint.load.paths import RealPaths
from k8slint.load.reading import TooLarge, kind_of, read_limited, read_stream

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")
STDIN = "-"
_SKIPPED_DIRS = frozenset({"node_modules", "__pycache__"})


class InputFile(NamedTuple):
    """A file to lint: `display` is the path as the user will see it."""

    display: str
    path: str | None = None
    data: bytes | None = None
    real: str | None = None
    """`path` with symlinks resolved, as discovery found it (None: not computed);
    use `resolved()`, which computes it when it is missing."""
    regular: bool = False
    """Discovery's `stat` found a regular file at `path`: classifying the file
    need not ask again (a stat per file was 1% of a lint)."""

    def resolved(self) -> str | None:
        """The file this names, whatever the spelling (`a.yaml`, `./a.yaml`, a symlink)."""
        if self.real is not None or self.path is None:
            return self.real
        return os.path.realpath(self.path)


class Discovery(NamedTuple):
    files: list[InputFile]
    notices: list[tuple[str, str]]
    errors: list[str]
    """`path: reason` for paths that could not be read (a named path missing, an
    unreadable directory in a tree): the run goes on, and exits 2."""


def discover(paths: list[str], stdin_name: str = "<stdin>") -> Discovery:
    files: list[InputFile] = []
    notices: list[tuple[str, str]] = []
    errors: list[str] = []
    seen: set[str] = set()
    real_paths = RealPaths()
    for given in paths or ["."]:
        if given == STDIN:
            _add_stream(files, errors, stdin_name, None)
        elif os.path.isdir(given):
            for path, real, regular in _walk(given, notices, errors, real_paths):
                _add(files, seen, path, real, regular)
        elif in_chart_templates(given):
            notices.append((_display(given), SKIPPED_NOTICES[HELM_TEMPLATE]))
        else:
            _add_named(files, seen, errors, given)
    return Discovery(files, notices, errors)


def _add_named(files: list[InputFile], seen: set[str], errors: list[str], given: str) -> None:
    """A path the user named: a file, or a pipe or device read now (up to the limit)."""
    try:
        mode = os.stat(given).st_mode
    except OSError as error:
        errors.append(f"{given}: {_reason(error)}")
        return
    if stat.S_ISREG(mode):
        _add(files, seen, given, os.path.realpath(given), regular=True)
    elif stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        _add_stream(files, errors, _display(given), given)
    else:
        errors.append(f"{given}: {kind_of(mode)}, not a file")


def _add_stream(files: list[InputFile], errors: list[str], display: str, path: str | None) -> None:
    """Standard input (`path` None) or a named pipe or device, read up to the file size limit."""
    from k8slint.load.loader import MAX_FILE_BYTES  # YAML: not for a run whose result is cached

    try:
        if path is None:
            data = read_stream(sys.stdin.buffer, MAX_FILE_BYTES)
        else:
            data = read_limited(path, MAX_FILE_BYTES, streams_allowed=True)
    except TooLarge:
        errors.append(f"{display}: over the {MAX_FILE_BYTES // 2**20} MiB limit; not linted")
    except OSError as error:
        errors.append(f"{display}: {_reason(error)}")
    else:
        files.append(InputFile(display, data=data))


def _reason(error: OSError) -> str:
    """`no such file or directory`, `permission denied`: strerror as a clause."""
    reason = error.strerror or str(error)
    return reason[:1].lower() + reason[1:]


_TESTDATA = "testdata"
_TESTDATA_NOTICE = (
    "test data directory: skipped (Go tooling ignores `testdata`; its golden files are "
    "not deployed); name it on the command line to lint it"
)


def _add(files: list[InputFile], seen: set[str], path: str, real: str, regular: bool) -> None:
    if real not in seen:
        seen.add(real)
        files.append(InputFile(_display(path), path=path, real=real, regular=regular))


def _display(path: str) -> str:
    return path[2:] if path.startswith("./") else path


def _walk(
    top: str, notices: list[tuple[str, str]], errors: list[str], real_paths: RealPaths
) -> Iterator[tuple[str, str, bool]]:
    """The manifests of a tree, each with its resolved path and whether it is a
    regular file (else a broken symlink, which the loader reports)."""
    root = os.path.realpath(top)

    def unreadable(error: OSError) -> None:
        errors.append(f"{_display(error.filename or top)}: {_reason(error)}; not linted")

    for directory, subdirs, names in os.walk(top, onerror=unreadable):
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
                path = os.path.join(directory, name)
                target = real_paths.of(path)
                regular = _readable_in_tree(path, target, root, notices, errors)
                if regular is not None:
                    yield path, target, regular


def _readable_in_tree(
    path: str, target: str, root: str, notices: list[tuple[str, str]], errors: list[str]
) -> bool | None:
    """A walked path (resolving to `target`) is linted only if it is a readable
    regular file inside the tree (True) or a broken symlink (False: the loader
    reports it); None: skipped, with a notice or an error."""
    if os.path.islink(path) and os.path.commonpath([root, target]) != root:
        notices.append(
            (
                _display(path),
                f"symlink to {target}, outside the linted tree: not followed "
                "(name it on the command line to lint it)",
            )
        )
        return None
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # a broken symlink: the loader reports it as unreadable
    if not stat.S_ISREG(mode):
        notices.append((_display(path), f"{kind_of(mode)}, not a file: skipped"))
        return None
    if not os.access(path, os.R_OK):
        errors.append(f"{_display(path)}: permission denied; not linted")
        return None
    return True
