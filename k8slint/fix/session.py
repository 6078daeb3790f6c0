"""One `--fix` or `--diff` run: passes of fix-then-relint until nothing changes.

Every pass edits texts in memory; the engine re-lints them (as in-memory
inputs) so that fixes which had to wait for another (two edits of one field)
and fixes that a first fix made possible are applied too, and the report says
what remains. Nothing is written until the passes are done, so `--diff` and
`--fix` compute exactly the same change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from k8slint.fix.apply import FileFix, by_file, fix_text, read_text, unified_diff, write_atomic
from k8slint.model import Finding

MAX_PASSES = 4
"""A fix never undoes another, so passes converge; this bounds a bug's cost."""


class FixSession:
    def __init__(self, unsafe: bool, in_memory: dict[str, bytes] | None = None) -> None:
        self.unsafe = unsafe
        self.passes = 0
        self.original: dict[str, str] = {}
        self.current: dict[str, str] = {}
        self.stdin = set(in_memory or ())
        for display, data in (in_memory or {}).items():
            self.original[display] = self.current[display] = data.decode("utf-8")
        self.fixed: Counter[str] = Counter()
        self.errors: dict[str, str] = {}

    def _text(self, display: str) -> str | None:
        if display not in self.current:
            try:
                text, _ = read_text(display)
            except (OSError, UnicodeDecodeError) as error:
                self.errors[display] = f"cannot read for fixing: {error}"
                return None
            self.original[display] = self.current[display] = text
        return self.current[display]

    def next_pass(self, findings: list[Finding]) -> bool:
        """Apply what the findings can fix; True if a text changed (then re-lint)."""
        if self.passes >= MAX_PASSES:
            return False
        self.passes += 1
        changed = False
        for display, items in by_file(findings, self.unsafe).items():
            if display in self.errors:
                continue
            text = self._text(display)
            if text is None:
                continue
            change: FileFix = fix_text(display, text, items)
            if change.error:
                self.errors[display] = change.error
            if change.changed:
                self.current[display] = change.after
                self.fixed.update(finding.rule for finding in change.fixed)
                changed = True
        return changed

    def texts(self) -> dict[str, bytes]:
        """Every text held in memory, for the re-lint."""
        return {display: text.encode("utf-8") for display, text in self.current.items()}

    def _changes(self) -> Iterator[FileFix]:
        for display in sorted(self.current):
            if self.current[display] != self.original[display]:
                yield FileFix(display, self.original[display], self.current[display])

    @property
    def changed(self) -> bool:
        return any(True for _ in self._changes())

    def diff(self) -> str:
        return "".join(unified_diff(change) for change in self._changes())

    def write(self, stdin_name: str) -> str | None:
        """Write every changed file; return the text for stdout when the input was stdin."""
        out = None
        for change in self._changes():
            if change.display in self.stdin:
                out = change.after
                continue
            try:
                write_atomic(change.display, change.after)
            except OSError as error:
                self.errors[change.display] = f"cannot write: {error.strerror or error}"
        if out is None and stdin_name in self.stdin:
            out = self.current[stdin_name]
        return out

    def summary(self) -> list[str]:
        files = sum(1 for change in self._changes() if change.display not in self.errors)
        lines = []
        if self.fixed:
            rules = ", ".join(f"{rule} {count}" for rule, count in sorted(self.fixed.items()))
            total = sum(self.fixed.values())
            lines.append(
                f"fixed {total} finding{'s' * (total != 1)} in {files} "
                f"file{'s' * (files != 1)} ({rules})"
            )
        for display, error in sorted(self.errors.items()):
            lines.append(f"{display}: not fixed: {error}")
        return lines
