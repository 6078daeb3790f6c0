"""From findings to rewritten files: which fixes to apply, and writing them safely.

Only findings that the run reported carry a fix here: suppressed ones never
reach the result, and context files get no findings, so neither is ever
written. Fixes of one object that touch the same fields are not applied
together: the first is, the other waits for the next pass (after a re-lint).
"""

from __future__ import annotations

import difflib
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from k8slint.kube.edits import overlaps, touched
from k8slint.model import Finding, Fix, JsonPath

if TYPE_CHECKING:
    from k8slint.fix.rewrite import Rewriter


@dataclass(slots=True)
class FileFix:
    """One file's text before and after this pass, and the findings fixed in it."""

    display: str
    before: str
    after: str
    fixed: list[Finding] = field(default_factory=list)
    error: str | None = None

    @property
    def changed(self) -> bool:
        return self.after != self.before


def fixable(finding: Finding, unsafe: bool) -> bool:
    fix = finding.fix
    return fix is not None and bool(fix.edits) and (fix.safety == "safe" or unsafe)


def by_file(findings: Iterable[Finding], unsafe: bool) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if fixable(finding, unsafe):
            grouped[finding.file].append(finding)
    return dict(grouped)


def _compatible(findings: list[Finding]) -> list[Finding]:
    """The findings whose fixes can be applied in one pass: none touches what another does."""
    taken: dict[tuple[int, JsonPath], list[JsonPath]] = defaultdict(list)
    chosen = []
    for finding in sorted(findings, key=lambda f: (f.line, f.column, f.rule)):
        fix = finding.fix
        assert fix is not None
        key = (fix.document, fix.base)
        paths = [path for edit in fix.edits for path in touched(edit)]
        if overlaps(paths, taken[key]):
            continue
        taken[key].extend(paths)
        chosen.append(finding)
    return chosen


def fix_text(display: str, text: str, findings: list[Finding]) -> FileFix:
    """Apply the findings' fixes to a file's text (nothing is written here)."""
    from k8slint.fix.rewrite import RewriteError, rewrite

    chosen = _compatible(findings)
    fixes: list[Fix] = [finding.fix for finding in chosen if finding.fix is not None]
    try:
        after, applied = rewrite(text, fixes)
    except RewriteError as error:
        return FileFix(display, text, text, error=str(error))
    except Exception as error:  # a bug on one file must not cost the others their fixes
        return FileFix(display, text, text, error=f"internal error (please report it): {error!r}")
    applied_ids = {id(fix) for fix in applied}
    fixed = [finding for finding in chosen if id(finding.fix) in applied_ids]
    return FileFix(display, text, after, fixed)


class LinePreviews:
    """Each fix alone as line replacements on its file as it is now: (first line,
    line after the last replaced one, new text), 1-based; for SARIF's `fixes`.

    A file is read and loaded for rewriting once for all of its fixes (findings
    come file by file, so only the last file is kept)."""

    def __init__(self) -> None:
        self._display: str | None = None
        self._file: tuple[str, Rewriter] | None = None

    def of(self, display: str, fix: Fix) -> list[tuple[int, int, str]]:
        from k8slint.fix.rewrite import RewriteError

        if display != self._display:
            self._display, self._file = display, _loaded(display)
        if self._file is None:
            return []
        text, rewriter = self._file
        try:
            after, applied = rewriter.rewrite([fix])
        except RewriteError:
            return []
        if not applied:
            return []
        old, new = text.splitlines(keepends=True), after.splitlines(keepends=True)
        matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
        return [
            (i1 + 1, i2 + 1, "".join(new[j1:j2]))
            for tag, i1, i2, j1, j2 in matcher.get_opcodes()
            if tag != "equal"
        ]


def _loaded(display: str) -> tuple[str, Rewriter] | None:
    """A file's text and its rewriter, or None: unreadable or not rewritable."""
    from k8slint.fix.rewrite import RewriteError, Rewriter

    try:
        text, _ = read_text(display)
        return text, Rewriter(text)
    except (OSError, UnicodeDecodeError, RewriteError):
        return None


def read_text(path: str) -> tuple[str, bytes]:
    """A file's text as the fixer edits it (BOM kept, line ends kept) and its bytes."""
    with open(path, "rb") as handle:
        raw = handle.read()
    return raw.decode("utf-8"), raw


def write_atomic(path: str, text: str) -> None:
    """Replace the file in one step: a temporary file beside it, then a rename, so an
    interrupted run leaves the old file or the new one, never half of each."""
    directory = os.path.dirname(os.path.abspath(path))
    mode = os.stat(path).st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)}.", suffix=".k8slint-fix", dir=directory
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def unified_diff(change: FileFix) -> str:
    absolute = os.path.isabs(change.display)  # git's a/ b/ prefixes are for relative paths
    lines = difflib.unified_diff(
        change.before.splitlines(keepends=True),
        change.after.splitlines(keepends=True),
        fromfile=change.display if absolute else f"a/{change.display}",
        tofile=change.display if absolute else f"b/{change.display}",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
