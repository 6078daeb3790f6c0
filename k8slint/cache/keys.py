"""Cache keys: digests of everything a cached result depends on.

A key is the sha256 of a canonical text of its parts (`digest`), so two runs
that would compute the same result find the same entry and anything that
could change the result makes another key. The code's own identity is part
of every key (`code_fingerprint`): the package version alone would let a
developer's edit of a check or a rule file read results of the old code.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import shutil
from collections.abc import Iterator
from typing import Any

import k8slint
from k8slint.engine.registry import rules_dir


def canonical(value: Any) -> str:
    """A text that is the same for equal values in every process: sets and
    mappings sorted (their order follows the per-process string hash)."""
    if isinstance(value, (set, frozenset)):
        return "{" + ",".join(sorted(canonical(item) for item in value)) + "}"
    if isinstance(value, dict):
        items = sorted((canonical(key), canonical(item)) for key, item in value.items())
        return "{" + ",".join(f"{key}:{item}" for key, item in items) + "}"
    if isinstance(value, tuple) and hasattr(value, "_fields"):
        return type(value).__name__ + canonical(value._asdict())
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(canonical(item) for item in value) + "]"
    if value is None or isinstance(value, (str, int, float, bool, bytes)):
        return repr(value)
    fields = getattr(value, "__dataclass_fields__", None)
    if fields is not None:
        return type(value).__name__ + canonical({name: getattr(value, name) for name in fields})
    raise TypeError(f"no canonical form for {type(value).__name__}")


def digest(*parts: Any) -> str:
    return hashlib.sha256(canonical(parts).encode()).hexdigest()


def content_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """The k8slint version, every source file of the package and every rule and
    preset file, and the version of the bundled API schemas: a change to any of
    them is another code, whose results are not this one's. (A run takes it
    through `cache.code`, which reads these files only when their stat changed.)"""
    hashed = hashlib.sha256(version_text().encode())
    for path, name in code_files():
        hashed.update(name.encode() + b"\0")
        with open(path, "rb") as handle:
            hashed.update(handle.read())
    return hashed.hexdigest()


def version_text() -> str:
    """The versions in the code's identity: k8slint's and the API schemas'."""
    return k8slint.__version__ + _schemas_version()


def code_files() -> Iterator[tuple[str, str]]:
    """(path, name) of every source, rule and preset file, in a fixed order (a
    folder's files by name, then its subfolders'); the name is relative to the
    package or the rules directory."""
    package = os.path.dirname(os.path.abspath(k8slint.__file__))
    yield from _files_under(package, "", (".py", ".json", ".yaml"))
    yield from _files_under(rules_dir(), "", (".yaml",))


def _files_under(folder: str, prefix: str, suffixes: tuple[str, ...]) -> Iterator[tuple[str, str]]:
    with os.scandir(folder) as found:
        entries = sorted(found, key=lambda entry: entry.name)
    subfolders = []
    for entry in entries:
        if entry.is_dir():
            if entry.name not in ("__pycache__", "_rules"):
                subfolders.append(entry)
        elif entry.name.endswith(suffixes):
            yield entry.path, prefix + entry.name
    for entry in subfolders:
        yield from _files_under(entry.path, prefix + entry.name + os.sep, suffixes)


def _schemas_version() -> str:
    """kubernetes-validate's version (its `version.py`: importlib.metadata costs a
    tenth of a second to import, more than the whole warm run may take)."""
    spec = importlib.util.find_spec("kubernetes_validate")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        try:
            with open(os.path.join(folder, "version.py"), encoding="utf-8") as handle:
                return handle.read()
        except OSError:
            continue
    return ""


def command_identity(command: list[str] | None, code: str) -> str:
    """The command's words and the binary they run (its path, size and change time:
    another Kustomize may build differently), Kustomize's environment, and the
    code (`Cache.code`). Here, not in `builds`: every run with the cache on keys
    it (its witness), one with no Kustomize root needs nothing else of `builds`."""
    if not command:
        return digest("no-command")
    binary = shutil.which(command[0])
    found: Any = None
    if binary:
        real = os.path.realpath(binary)
        try:
            facts = os.stat(real)
            found = (real, facts.st_size, facts.st_mtime_ns)
        except OSError:
            found = real
    environment = {k: v for k, v in os.environ.items() if k.startswith(("KUSTOMIZE", "HELM"))}
    return digest(code, command, found, environment)
