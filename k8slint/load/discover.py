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
    for given in paths or ["."]:
        if given == STDIN:
            _add_stream(files, errors, stdin_name, None)
        elif os.path.isdir(given):
            for path, real, regular in _walk(given, notices, errors):
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
    top: str, notices: list[tuple[str, str]], errors: list[str]
) -> Iterator[tuple[str, str, bool]]:
    """The manifests of a tree, each with its resolved path and whether it is a
    regular file (else a broken symlink, which the loader reports): `os.walk`'s
    order and choices (a symlinked directory is listed, not entered), from one
    `scandir` a directory. Its entries say which are symlinks, directories and
    regular files without a system call, and a directory entered (never a
    symlink) resolves to its parent's resolved path and its name: resolving
    each file (`os.path.realpath`, an lstat a component) and testing it again
    was three quarters of discovering the corpus (7,700 lstats)."""
    root = os.path.realpath(top)
    pending = [(top, root)]
    while pending:
        directory, real = pending.pop()
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=_name)
        except OSError as error:
            errors.append(f"{_display(error.filename or directory)}: {_reason(error)}; not linted")
            continue
        subdirs = [entry for entry in entries if _is_dir(entry)]
        names = {entry.name for entry in entries}
        listed = {entry.name for entry in subdirs}
        skipped = set(_SKIPPED_DIRS)
        if "Chart.yaml" in names and "templates" in listed:
            notices.append(
                (_display(os.path.join(directory, "templates")), SKIPPED_NOTICES[HELM_TEMPLATE])
            )
            skipped.add("templates")
        if _TESTDATA in listed:
            notices.append((_display(os.path.join(directory, _TESTDATA)), _TESTDATA_NOTICE))
            skipped.add(_TESTDATA)
        for entry in entries:
            name = entry.name
            if name in listed or not name.endswith(MANIFEST_SUFFIXES) or name.startswith("."):
                continue
            path = os.path.join(directory, name)
            symlink = _is_symlink(entry)
            target = os.path.join(real, name)
            if symlink:
                target = os.path.realpath(target)
            regular = _readable_in_tree(entry, path, target, root, symlink, notices, errors)
            if regular is not None:
                yield path, target, regular
        pending += reversed(
            [
                (entry.path, os.path.join(real, entry.name))
                for entry in subdirs
                if not entry.name.startswith(".")
                and entry.name not in skipped
                and not _is_symlink(entry)
            ]
        )


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """As `os.walk` tells a directory (a symlink to one included)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _is_symlink(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_symlink()
    except OSError:
        return False


def _readable_in_tree(
    entry: os.DirEntry[str],
    path: str,
    target: str,
    root: str,
    symlink: bool,
    notices: list[tuple[str, str]],
    errors: list[str],
) -> bool | None:
    """A walked path (resolving to `target`) is linted only if it is a readable
    regular file inside the tree (True) or a broken symlink (False: the loader
    reports it); None: skipped, with a notice or an error."""
    if symlink and os.path.commonpath([root, target]) != root:
        notices.append(
            (
                _display(path),
                f"symlink to {target}, outside the linted tree: not followed "
                "(name it on the command line to lint it)",
            )
        )
        return None
    try:
        regular = not symlink and entry.is_file(follow_symlinks=False)  # its type, no call
        mode = stat.S_IFREG if regular else os.stat(path).st_mode
    except OSError:
        return False  # a broken symlink: the loader reports it as unreadable
    if not stat.S_ISREG(mode):
        notices.append((_display(path), f"{kind_of(mode)}, not a file: skipped"))
        return None
    if not os.access(path, os.R_OK):
        errors.append(f"{_display(path)}: permission denied; not linted")
        return None
    return True
