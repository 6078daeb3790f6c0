"""Runs the enabled rules over the loaded objects and turns verdicts into findings.

Checks only say *what* is wrong at *which path*; here that becomes a line and
column, the rule's severity, and is dropped if a comment or annotation
suppresses it. Keeping this in one place is what makes every rule report,
suppress and sort the same way.
"""

from __future__ import annotations

import gc
import os
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from k8slint.checks.api import Check, CheckContext, find_check
from k8slint.engine import parallel
from k8slint.engine.registry import Rule, load_rules
from k8slint.engine.suppress import Suppressions, annotation_rules, parse_comments
from k8slint.kube.index import RunIndex
from k8slint.kube.openapi import Version, newest_version
from k8slint.load.discover import InputFile
from k8slint.load.loader import LoadedFile, load_bytes, load_file
from k8slint.model import Finding, JsonPath, Notice, ObjectRef, Problem, Resource


def _ignore_progress(done: int) -> None:
    return None


@dataclass(frozen=True, slots=True, order=True)
class NotValidated:
    """An object no schema was found for, for the summary."""

    file: str
    line: int
    object: ObjectRef = field(compare=False)


@dataclass(slots=True)
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    files: int = 0
    objects: int = 0
    inventory: dict[str, list[ObjectRef]] = field(default_factory=dict)
    """The objects of every linted file (context files excluded), by displayed path:
    reports that list what passed (JUnit) and baselines that judge which entries
    this run could have matched need more than the findings."""
    not_validated: list[NotValidated] = field(default_factory=list)

    @property
    def internal_errors(self) -> list[Notice]:
        return [notice for notice in self.notices if notice.is_error]


_IGNORED = "ignored-rules"
"""`Resource.derived` key: the rule ids its `ignore.k8slint.io/` annotations name."""


def _identity(item: InputFile) -> str:
    """One file however it was named (`a.yaml`, `./a.yaml`, `/abs/a.yaml`)."""
    return os.path.realpath(item.path) if item.path else item.display


@dataclass(slots=True)
class _Part:
    """The per-file half of a run for some files, as a worker hands it back."""

    resources: list[Resource]
    suppressions: dict[str, Suppressions]
    findings: set[Finding]
    explained: set[tuple[str, int, int, JsonPath, str]]
    not_validated: dict[tuple[str, int, int], NotValidated]
    result: LintResult


def _check_chunk(engine: Engine, items: list[InputFile]) -> _Part:
    """In a worker process: load and check some files with the (forked) engine."""
    resources = [r for item in items for r in engine._load(item, context_only=False)]
    return engine._part(resources)


class Engine:
    def __init__(
        self,
        rules: Iterable[Rule],
        kubernetes_version: Version | None = None,
        strict: bool = True,
        jobs: int | None = None,
    ) -> None:
        self.version = kubernetes_version or newest_version()
        self.strict = strict
        self.jobs = jobs
        """Worker processes for the per-file work; None: one per core, 1: none."""
        self.rules = list(rules)
        self._known_ids = list(load_rules())
        self._resource_checks: list[tuple[Rule, Check]] = []
        self._run_checks: list[tuple[Rule, Check]] = []
        for rule in self.rules:
            if rule.produced_by_loader:
                continue
            bound = find_check(rule.check)
            target = self._resource_checks if bound.scope == "resource" else self._run_checks
            target.append((rule, bound))
        self._loader_rules = {rule.id: rule for rule in self.rules if rule.produced_by_loader}
        self._suppressions: dict[str, Suppressions] = {}
        self._findings: set[Finding] = set()
        self._explained: set[tuple[str, int, int, JsonPath, str]] = set()
        self._not_validated: dict[tuple[str, int, int], NotValidated] = {}
        self.result = LintResult()

    def lint(
        self,
        inputs: Iterable[InputFile],
        context: Iterable[InputFile] = (),
        progress: Callable[[int], None] | None = None,
    ) -> LintResult:
        """Lint `inputs` (with `context` indexed but not reported on); `progress` is
        told how many linted files are done as they finish."""
        # The run keeps millions of small objects alive (every object's data, and
        # a file's nodes while it is checked) and creates no reference cycles, so
        # the cyclic collector would only rescan them again and again: measured,
        # it doubled the time on the corpus.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._lint(inputs, context, progress or _ignore_progress)
        finally:
            if gc_was_enabled:
                gc.enable()

    def _lint(
        self,
        inputs: Iterable[InputFile],
        context: Iterable[InputFile],
        progress: Callable[[int], None],
    ) -> LintResult:
        items = list(inputs)
        resources = self._load_linted(items, progress)
        linted = {_identity(item) for item in items}
        for item in context:
            if _identity(item) not in linted:
                linted.add(_identity(item))
                resources.extend(self._load(item, context_only=True))
        self._run_run_checks(RunIndex(resources))
        self.result.findings = sorted(
            finding
            for finding in self._findings
            if (finding.file, finding.line, finding.column, finding.path, finding.rule)
            not in self._explained
        )
        self.result.not_validated = sorted(self._not_validated.values())
        self.result.notices.sort()
        return self.result

    def _load_linted(
        self, items: list[InputFile], progress: Callable[[int], None]
    ) -> list[Resource]:
        """Load and check every linted file: on all cores when there are many."""
        resources: list[Resource] = []
        jobs = parallel.worker_count(self.jobs, len(items))
        if jobs <= 1:
            for item in items:
                resources.extend(self._load(item, context_only=False))
                progress(1)
            return resources
        for part in parallel.map_chunks(self, _check_chunk, items, jobs):
            resources.extend(self._merge(part))
            progress(part.result.files)
        return resources

    def _part(self, resources: list[Resource]) -> _Part:
        """What a worker sends back for its files; its own state starts afresh."""
        for resource in resources:  # views are rebuilt on demand: cheaper than sending
            ignored = resource.derived.get(_IGNORED)
            resource.derived = {_IGNORED: ignored} if ignored else {}
        part = _Part(
            resources,
            self._suppressions,
            self._findings,
            self._explained,
            self._not_validated,
            self.result,
        )
        self._suppressions, self._findings, self._explained = {}, set(), set()
        self._not_validated, self.result = {}, LintResult()
        return part

    def _merge(self, part: _Part) -> list[Resource]:
        self._suppressions.update(part.suppressions)
        self._findings |= part.findings
        self._explained |= part.explained
        self._not_validated.update(part.not_validated)
        self.result.notices += part.result.notices
        self.result.files += part.result.files
        self.result.objects += part.result.objects
        self.result.inventory.update(part.result.inventory)
        return part.resources

    def _load(self, item: InputFile, context_only: bool) -> list[Resource]:
        loaded = (
            load_file(item.path, item.display)
            if item.path
            else load_bytes(item.data or b"", item.display)
        )
        suppressions = parse_comments(loaded.text, self._known_ids)
        self._suppressions[item.display] = suppressions
        for resource in loaded.resources:
            resource.context_only = context_only
        if not context_only:
            self.result.files += 1
            self.result.objects += len(loaded.resources)
            self.result.inventory[loaded.path] = [resource.ref for resource in loaded.resources]
            self._report_load(loaded, suppressions)
            for resource in loaded.resources:
                self._read_annotations(resource)
                self._run_resource_checks(resource)
        loaded.nodes.release()
        return loaded.resources

    def _report_load(self, loaded: LoadedFile, suppressions: Suppressions) -> None:
        for line, message in loaded.notices:
            self.result.notices.append(Notice(loaded.path, line, message))
        for line, message in suppressions.unknown:
            self.result.notices.append(Notice(loaded.path, line, message))
        for issue in loaded.issues:
            rule = self._loader_rules.get(issue.rule)
            if rule is None or suppressions.covers(rule.id, issue.line):
                continue
            self._findings.add(
                Finding(
                    loaded.path, issue.line, issue.column, rule.id, rule.severity, issue.message
                )
            )

    def _run_resource_checks(self, resource: Resource) -> None:
        for rule, bound in self._resource_checks:
            context = self._context(rule)
            try:
                for problem in bound.function(resource, context):
                    self._emit(rule, resource, problem)
            except Exception as error:  # one broken check must not end the run
                self._internal_error(rule, resource, error)

    def _run_run_checks(self, index: RunIndex) -> None:
        for rule, bound in self._run_checks:
            context = self._context(rule)
            try:
                for resource, problem in bound.function(index, context):
                    if not resource.context_only:
                        self._emit(rule, resource, problem)
            except Exception as error:
                self._internal_error(rule, None, error)

    def _context(self, rule: Rule) -> CheckContext:
        return CheckContext(self.version, rule.params, self.strict, self._note_not_validated)

    def _note_not_validated(self, resource: Resource) -> None:
        if not resource.context_only:
            line, _ = resource.pos(())
            key = (resource.file, resource.doc_index, line)
            self._not_validated[key] = NotValidated(resource.file, line, resource.ref)

    def _emit(self, rule: Rule, resource: Resource, problem: Problem) -> None:
        line, column = resource.pos(problem.path)
        # Recorded before suppression: a problem the specific rule found is
        # explained even where the user silenced it, and not repeated by `schema`.
        for explained in rule.explains:
            self._explained.add((resource.file, line, column, problem.path, explained))
        if self._suppressions[resource.file].covers(rule.id, line):
            return
        if rule.id in resource.derived.get(_IGNORED, ()):
            return
        self._findings.add(
            Finding(
                resource.file,
                line,
                column,
                rule.id,
                problem.severity or rule.severity,
                problem.message,
                problem.path,
                resource.ref,
                problem.fix.at(resource) if problem.fix else None,
            )
        )

    def _read_annotations(self, resource: Resource) -> None:
        rules = annotation_rules(resource)
        if not rules:
            return
        resource.derived[_IGNORED] = rules
        for unknown in sorted(rules - set(self._known_ids)):
            line, _ = resource.pos(("metadata", "annotations"))
            self.result.notices.append(
                Notice(resource.file, line, f"unknown rule id {unknown!r} in ignore annotation")
            )

    def _internal_error(self, rule: Rule, resource: Resource | None, error: Exception) -> None:
        where = resource.file if resource else "<run>"
        line = resource.pos(())[0] if resource else 0
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        self.result.notices.append(
            Notice(
                where,
                line,
                f"internal error in rule {rule.id}: {detail} "
                "(please report it; the rest of the run went on)",
                is_error=True,
            )
        )
