"""Baselines: adopt k8slint on a repository with existing findings, fail only on new ones.

A finding is recorded by what it is, not where: (rule, file, object, path,
message). Line numbers are left out on purpose, so an edit above a finding does
not bring it back; so are the messages of cross-object findings (they quote
other objects, so an unrelated edit elsewhere would change them: see
`Finding.identity`). Files are recorded relative to the baseline file, so the
same baseline works from any working directory. The same key, hashed, is the
SARIF fingerprint that lets code scanning follow a finding across commits.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from k8slint.model import Finding, format_path

FORMAT_VERSION = 2
LENIENT_VERSIONS = (1,)
"""Older formats still read: version 1 kept whole messages, so its entries are
matched without them (rule, file, object and path), and the run says so."""

FindingKey = tuple[str, str, str, str, str]
KEY_FIELDS = ("rule", "file", "object", "path", "message")


class BaselineError(ValueError):
    """The baseline file cannot be read or is not a k8slint baseline."""


@dataclass(frozen=True, slots=True)
class BaselineSummary:
    file: str
    matched: int
    """Findings the baseline already knew, not reported."""
    stale: int
    """Baseline entries this run could have matched (their file was linted, their
    rule enabled) but did not: fixed since, so the baseline can shrink."""


def relative_file(file: str, root: str) -> str:
    """`file` as seen from `root`, with `/` separators; `<stdin>`-style names stay."""
    if file.startswith("<"):
        return file
    return os.path.relpath(os.path.abspath(file), root).replace(os.sep, "/")


def object_label(finding: Finding) -> str:
    """`Kind/namespace/name` (empty parts stay empty); the API version is left out
    so that moving an object to a newer apiVersion keeps its findings' identity."""
    ref = finding.object
    if ref is None:
        return ""
    return "/".join(part or "" for part in (ref.kind, ref.namespace, ref.name))


def finding_key(finding: Finding, file: str, with_message: bool = True) -> FindingKey:
    identity = finding.message if finding.identity is None else finding.identity
    return (
        finding.rule,
        file,
        object_label(finding),
        format_path(finding.path),
        identity if with_message else "",
    )


def fingerprint(key: FindingKey) -> str:
    return hashlib.sha256("\x1f".join(key).encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Baseline:
    path: str
    entries: Counter[FindingKey]
    version: int = FORMAT_VERSION

    @property
    def lenient(self) -> bool:
        """An older format, matched without messages."""
        return self.version in LENIENT_VERSIONS

    @property
    def root(self) -> str:
        return os.path.dirname(os.path.abspath(self.path))

    def key(self, finding: Finding) -> FindingKey:
        return finding_key(
            finding, relative_file(finding.file, self.root), with_message=not self.lenient
        )

    def filter(
        self, findings: Iterable[Finding], rules_by_file: Mapping[str, set[str]]
    ) -> tuple[list[Finding], BaselineSummary]:
        """The findings the baseline does not know, and how the run compared with it.

        `rules_by_file` holds the files this run linted with the rules enabled for
        each: only entries the run could have matched can be stale, so a
        pre-commit run over a few files does not call the rest stale.
        """
        remaining = Counter(self.entries)
        new: list[Finding] = []
        matched = 0
        for finding in findings:
            key = self.key(finding)
            if remaining[key] > 0:
                remaining[key] -= 1
                matched += 1
            else:
                new.append(finding)
        linted = {relative_file(file, self.root): rules for file, rules in rules_by_file.items()}
        stale = sum(
            count
            for (rule, file, *_), count in remaining.items()
            if count > 0 and rule in linted.get(file, ())
        )
        return new, BaselineSummary(self.path, matched, stale)


def load_baseline(path: str) -> Baseline:
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError) as error:
        raise BaselineError(f"{path}: cannot read baseline: {error}") from None
    version = document.get("k8slint-baseline") if isinstance(document, dict) else None
    if (
        version not in (FORMAT_VERSION, *LENIENT_VERSIONS)
        or not isinstance(document, dict)
        or not isinstance(document.get("findings"), list)
    ):
        raise BaselineError(
            f"{path}: not a k8slint baseline (version {FORMAT_VERSION}); "
            "write one with --write-baseline"
        )
    entries: Counter[FindingKey] = Counter()
    for entry in document["findings"]:
        try:
            rule, file, label, at, message = (str(entry[name]) for name in KEY_FIELDS)
            kept = message if version == FORMAT_VERSION else ""
            entries[(rule, file, label, at, kept)] += int(entry.get("count", 1))
        except (KeyError, TypeError, ValueError):
            raise BaselineError(f"{path}: malformed entry {entry!r}") from None
    return Baseline(path, entries, version)


def write_baseline(path: str, findings: Iterable[Finding]) -> int:
    """Record `findings`; returns how many. Sorted, one entry per key, for small diffs."""
    root = os.path.dirname(os.path.abspath(path))
    counts = Counter(finding_key(f, relative_file(f.file, root)) for f in findings)
    entries = []
    for key in sorted(counts):
        entry: dict[str, object] = dict(zip(KEY_FIELDS, key, strict=True))
        if counts[key] > 1:
            entry["count"] = counts[key]
        entries.append(entry)
    document = {"k8slint-baseline": FORMAT_VERSION, "findings": entries}
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    return sum(counts.values())
