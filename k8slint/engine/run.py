"""Runs the enabled rules over the loaded objects and turns verdicts into findings.

Checks only say *what* is wrong at *which path*; here that becomes a line and
column, the rule's severity, and is dropped if a comment or annotation
suppresses it. Keeping this in one place is what makes every rule report,
suppress and sort the same way.
"""

from __future__ import annotations

import functools
import gc
import itertools
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeGuard

from k8slint.engine import parallel
from k8slint.engine.registry import Rule, load_rules
from k8slint.engine.suppress import Suppressions, annotation_rules, parse_comments
from k8slint.kube.filekinds import (
    HELM_TEMPLATE,
    KUSTOMIZE_FILE_NAMES,
    SKIPPED_NOTICES,
    FileClassifier,
    is_template_text,
)
from k8slint.kube.openapi import Version, newest_version
from k8slint.kube.packed import shed_bulk
from k8slint.kube.sharing import SharedData
from k8slint.kustomize.build import DEFAULT_TIMEOUT, find_command
from k8slint.kustomize.stage import KustomizeStage, StagePlan, rebuild
from k8slint.load.discover import InputFile
from k8slint.model import Finding, JsonPath, Notice, ObjectRef, Problem, Resource

if TYPE_CHECKING:
    # Imported where used: the cache by the runs that have one (not --no-cache);
    # the checks, the loader (YAML) and the index by a run that computes its
    # result, which a run whose result is cached (a warm re-lint) never does.
    from k8slint.cache import Cache
    from k8slint.cache.crossobject import ObjectDigests, Recorder, Recording
    from k8slint.cache.snapshot import Snapshot
    from k8slint.checks.api import Check, CheckContext
    from k8slint.kube.filekinds import KustomizeTree
    from k8slint.kube.index import RunIndex
    from k8slint.load.documents import DocumentMemo
    from k8slint.load.loader import LoadedFile


def _ignore_progress(done: int) -> None:
    return None


class NotValidated(NamedTuple):
    """An object no schema was found for, for the summary (listed by file and line)."""

    file: str
    line: int
    object: ObjectRef


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
    return item.resolved() or item.display


_ExplainedKey = tuple[str, int, int, JsonPath, str]
"""(file, line, column, path, rule id) of a problem that a more specific rule reported."""


@dataclass(slots=True)
class _Part:
    """The per-file half of a run for some files, as a worker hands it back."""

    resources: list[Resource]
    suppressions: dict[str, Suppressions]
    findings: set[Finding]
    explained: set[_ExplainedKey]
    not_validated: dict[tuple[str, int, int], NotValidated]
    result: LintResult


class FilePolicy(Protocol):
    """Which rules apply to a file, and the severities configured for them there
    (the config's layers and per-path overrides, then --select/--ignore)."""

    def for_file(self, file: str) -> tuple[set[str], dict[str, str]]: ...


class EveryRule:
    """The policy without a config: every rule the engine was given, at its own severity."""

    def __init__(self, rule_ids: Iterable[str]) -> None:
        self._ids = set(rule_ids)

    def for_file(self, file: str) -> tuple[set[str], dict[str, str]]:
        return self._ids, {}


class Engine:
    """What a lint is asked to do: the rules, the target version, strictness and the
    per-file policy. It holds no state of a run, so `lint` may be called again."""

    def __init__(
        self,
        rules: Iterable[Rule],
        kubernetes_version: Version | None = None,
        strict: bool = True,
        jobs: int | None = None,
        policy: FilePolicy | None = None,
        workload_kinds: Mapping[tuple[str, str], JsonPath] | None = None,
        kustomize_command: str | None = None,
        kustomize_timeout: float = DEFAULT_TIMEOUT,
        cache: Cache | None = None,
    ) -> None:
        self.cache = cache
        """Where per-file results, builds and whole runs are kept (None: nowhere)."""
        self.version = kubernetes_version or newest_version()
        self.strict = strict
        self.jobs = jobs
        """Worker processes for the per-file work; None: one per core, 1: none."""
        self.rules = list(rules)
        self.policy = policy or EveryRule(rule.id for rule in self.rules)
        self.workload_kinds = dict(workload_kinds or {})
        """Custom kinds with a pod template, from the config: (group, kind) -> path."""
        self.kustomize_command = find_command(kustomize_command)
        """What builds a Kustomize root (None: lint overlays raw); see `k8slint.kustomize`."""
        self.kustomize_timeout = kustomize_timeout
        """Seconds a build may take before it is a `kustomize-build` finding."""
        self.known_ids = list(load_rules())
        self.loader_rules = {rule.id: rule for rule in self.rules if rule.produced_by_loader}

    @functools.cached_property
    def _checks(self) -> tuple[list[tuple[Rule, Check]], list[tuple[Rule, Check]]]:
        """The rules' checks, per object and across objects: bound (their modules
        imported) on first use, which a run whose result is cached never makes."""
        from k8slint.checks.api import find_check

        resource_checks: list[tuple[Rule, Check]] = []
        run_checks: list[tuple[Rule, Check]] = []
        for rule in self.rules:
            if rule.produced_by_loader:
                continue
            bound = find_check(rule.check)
            target = resource_checks if bound.scope == "resource" else run_checks
            target.append((rule, bound))
        return resource_checks, run_checks

    @property
    def resource_checks(self) -> list[tuple[Rule, Check]]:
        return self._checks[0]

    @property
    def run_checks(self) -> list[tuple[Rule, Check]]:
        return self._checks[1]

    @functools.cached_property
    def _applicable(self) -> dict[tuple[str | None, str | None, Any], frozenset[str]]:
        """`applicable_rules` by object type, filled as types are met."""
        return {}

    @functools.cached_property
    def _rule_sets(self) -> dict[frozenset[str], frozenset[str]]:
        """The distinct answers of `applicable_rules`: the types share a few sets."""
        return {}

    def applicable_rules(self, resource: Resource) -> frozenset[str]:
        """The per-object rules whose checks apply to objects of this one's type
        (`Check.applies_to`): decided once per type, not once per object and rule."""
        key = (resource.api_version, resource.kind, resource.template_path)
        found = self._applicable.get(key)
        if found is None:
            found = frozenset(
                rule.id
                for rule, bound in self.resource_checks
                if bound.applies_to is None or bound.applies_to(resource)
            )
            found = self._applicable[key] = self._rule_sets.setdefault(found, found)
        return found

    def lint(
        self,
        inputs: Iterable[InputFile],
        context: Iterable[InputFile] = (),
        progress: Callable[[int], None] | None = None,
    ) -> LintResult:
        """Lint `inputs` (with `context` indexed but not reported on); `progress` is
        told how many linted files are done as they finish. Each call is a new run."""
        # The run keeps millions of small objects alive (every object's data, and
        # a file's nodes while it is checked) and creates no reference cycles, so
        # the cyclic collector would only rescan them again and again: measured,
        # it doubled the time on the corpus.
        gc_was_enabled = gc.isenabled()
        gc.disable()
        try:
            return _Run(self).lint(inputs, context, progress or _ignore_progress)
        finally:
            if gc_was_enabled:
                gc.enable()


def _check_chunk(run: _Run, items: list[InputFile]) -> _Part:
    """In a worker process: load and check some files with the (forked) run."""
    resources = [r for item in items for r in run.load(item, context_only=False)]
    return run.part(resources)


def _file_parts(run: _Run, items: list[InputFile]) -> list[_Part]:
    """In a worker process, with the cache: each file's part on its own."""
    return [run._file_part(item) for item in items]


class _Run:
    """The state of one run: findings so far, each file's suppressions and rules,
    what Kustomize files say about their neighbours."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.classifier = FileClassifier()
        self.suppressions: dict[str, Suppressions] = {}
        self.findings: set[Finding] = set()
        self.explained: set[_ExplainedKey] = set()
        self.not_validated: dict[tuple[str, int, int], NotValidated] = {}
        self.result = LintResult()
        self.shared = SharedData()
        """Equal parts of the objects kept for the cross-object phase, held once."""
        self._contexts: dict[str, CheckContext] = {}
        self._to_run: dict[tuple[int, int], tuple[Any, frozenset[str], list[Any]]] = {}
        """`_run_resource_checks`'s checks (with their contexts) by the identities of
        the file's rules and the object type's, both kept with them: files under the
        same settings share one set (`RulePolicy.for_file`), and the engine one per
        type's answer, so a few dozen lists, made once a run."""
        self._keys: dict[tuple[str, str | None, bool], str | None] = {}
        """Each file's cache key (see `_file_key`), by (display, path, context only)."""
        self._engine_digest = ""
        self._rules_digest = ""
        self._rule_digests: dict[tuple[frozenset[str], str], str] = {}
        self._file_rules: dict[str, str] = {}
        """Each file's `_rules_key`, by its displayed name."""
        self._tree_digests: dict[int, tuple[object, str]] = {}
        self._kinds: dict[tuple[str, str | None], tuple[str, str]] = {}
        """Each file's kind and its tree's digest (`_kind_and_tree`), by (display, path)."""
        self._recorder: Recorder | None = None
        """Notes the cross-object checks' verdicts while they run, to be kept."""
        self._snapshot: Snapshot | None = None
        """The last run's parts, and this run's for the next (with a cache)."""
        self.documents: DocumentMemo | None = None
        """The large documents loaded so far, while the per-file phase runs: one met
        again is not composed again (`load.documents`)."""

    def lint(
        self,
        inputs: Iterable[InputFile],
        context: Iterable[InputFile],
        progress: Callable[[int], None],
    ) -> LintResult:
        items, context_items = list(inputs), list(context)
        cache = self.engine.cache
        witness_key = self._witness_key(items, context_items) if cache is not None else None
        recalled = self._recall(witness_key) if witness_key is not None else None
        if recalled is not None:
            assert cache is not None
            progress(len(items))
            cache.finish()
            return recalled
        plan_key = (
            witness_key if witness_key is not None and _worth_a_plan(items, context_items) else None
        )
        plan, edits = self._plan(plan_key) if plan_key is not None else (None, frozenset())
        stage = KustomizeStage(
            self.engine.kustomize_command,
            items,
            context_items,
            self.classifier.kustomization,
            self.engine.kustomize_timeout,
            cache=cache,
            plan=plan,
            edited=edits,
        )
        run_key: str | None = None
        cached: Any = None
        if cache is not None:
            from k8slint.cache import RUNS

            run_key = self._run_key(stage, items, context_items)
            cached = cache.load(RUNS, run_key) if run_key else None
        if _is_run_entry(cached) and cached[0] == stage.remote_outputs():
            stage.abandon()
            progress(len(items))
            if plan_key is not None:
                self._keep_plan(plan_key, stage, None if plan is None else edits)
            if witness_key is not None:
                cache.remember_run(witness_key, (run_key, stage.remote_builds))
            cache.finish()
            return cached[1]
        if cache is not None:
            from k8slint.cache import SNAPSHOTS
            from k8slint.cache.snapshot import Snapshot

            self._snapshot = Snapshot(cache.load(SNAPSHOTS, witness_key) if witness_key else None)
        self.engine.resource_checks  # noqa: B018 (imported once, before workers fork)
        from k8slint.load.documents import DocumentMemo

        self.documents = DocumentMemo()
        resources = self._load_linted(items, progress)
        linted = {_identity(item) for item in items}
        for item in context_items:
            if _identity(item) not in linted:
                linted.add(_identity(item))
                resources.extend(self._load_context(item))
        self.documents = None
        resources = self._kustomize(stage, resources)
        self._run_run_checks(resources)
        self.result.findings = _merge_builds(
            finding
            for finding in self.findings
            if (finding.file, finding.line, finding.column, finding.path, finding.rule)
            not in self.explained
            and stage.reported(finding.file, finding.builds)
        )
        self.result.not_validated = sorted(
            self.not_validated.values(), key=lambda item: (item.file, item.line)
        )
        self.result.notices.sort()
        if cache is not None:
            if witness_key is not None:
                self._keep_snapshot(witness_key)
            if plan_key is not None:
                self._keep_plan(plan_key, stage, None if plan is None else edits)
            remote = stage.remote_outputs() if run_key else None
            if remote is not None and not stage.unsettled:
                cache.save(RUNS, run_key, (remote, self.result))
                if witness_key is not None:
                    cache.remember_run(witness_key, (run_key, stage.remote_builds))
            cache.finish()
        return self.result

    def _plan(self, witness_key: str) -> tuple[StagePlan | None, frozenset[str]]:
        """The last run's plan (`k8slint.cache.plan`) when it stands, taken in: its
        kustomizations, and what its witness saw; with the files edited since."""
        from k8slint.cache import plan

        cache = self.engine.cache
        assert cache is not None
        found = plan.recall(cache, witness_key)
        if found is None:
            return None, frozenset()
        kept, edits = found
        self.classifier.adopt(kept.kustomizations)
        self._kinds.update(kept.kinds)
        cache.witness.adopt(kept.witness_files, kept.witness_directories)
        return kept.stage, edits

    def _keep_plan(
        self, witness_key: str, stage: KustomizeStage, edits: frozenset[str] | None
    ) -> None:
        """This run's plan for the next run, unless it took one (with `edits`)
        that still serves (`plan.outdated`)."""
        from k8slint.cache import plan

        cache = self.engine.cache
        assert cache is not None
        if plan.outdated(edits):
            kustomizations = self.classifier.kustomizations()
            plan.remember(cache, witness_key, kustomizations, self._kinds, stage.plan())

    def _keep_snapshot(self, key: str) -> None:
        """This run's parts as the next run's snapshot (`k8slint.cache.snapshot`),
        when the last one was missing or too many parts were read apart from it.
        The run is done: its objects go back to how their parts were made."""
        from k8slint.cache import SNAPSHOTS

        snapshot, cache = self._snapshot, self.engine.cache
        if snapshot is None or cache is None or not snapshot.stale():
            return
        # Equal parts held once in the entry, however few objects the run held
        # (`kube.sharing`): each re-lint loads it, a third faster so.
        shared = SharedData(unshared=0)
        for part in snapshot.parts.values():
            for resource in part.resources:
                _drop_views(resource)
                resource.directory = None
                resource.data = shared.share(resource.data)
        cache.save(SNAPSHOTS, key, snapshot.parts)

    def _kustomize(self, stage: KustomizeStage, resources: list[Resource]) -> list[Resource]:
        """Kustomize's part of the run (`k8slint.kustomize`): a failed build becomes a
        finding, a built root's objects are checked and replace its raw files'
        objects and findings; the returned objects are the cross-object view."""
        outcome = stage.finish(resources, self._checked_build)
        for file, message in outcome.notices:
            self.result.notices.append(Notice(file, 1, message))
        rule = self.engine.loader_rules.get(BUILD_RULE)
        for build, message in outcome.failures:
            enabled, severities = self.engine.policy.for_file(build.kustomization)
            if (
                rule is not None
                and rule.id in enabled
                and not self._suppressions_of(build.kustomization).covers(rule.id, 1)
            ):
                severity = severities.get(rule.id) or rule.severity
                text = f"kustomize build {build.display} failed: {message}"
                self.findings.add(
                    Finding(build.kustomization, 1, 1, rule.id, severity, text, identity="")
                )
        self.findings = {
            finding
            for finding in self.findings
            if finding.builds
            or finding.file not in outcome.covered
            or finding.rule in self.engine.loader_rules
        }
        return outcome.view(resources)

    def _checked_build(
        self, key: str | None, make: Callable[[], list[Resource] | None]
    ) -> list[Resource] | None:
        """A root's built objects with their per-object findings merged into the
        run's: kept in the cache under `key` with the engine's settings (a
        changed file elsewhere builds nothing again), else made and checked."""
        cache = self.engine.cache
        if cache is not None and key is not None:
            from k8slint.cache import BUILT
            from k8slint.cache.keys import digest

            key = digest("built", key, *self._run_settings())
            found = self._cached_part(BUILT, key)
            if found is not None:
                return self._merge(found, key)
        built = make()
        if built is None:
            return None
        run = self.part([])
        self.suppressions = run.suppressions  # the run's comments stay at hand
        for resource in built:
            self._read_annotations(resource)
            self._run_resource_checks(resource, None)
            _drop_views(resource)
        part = self.part(built)
        part.suppressions = {}
        self._restore(run)
        if cache is not None and key is not None:
            cache.save(BUILT, key, part)
        return self._merge(part, key)

    def _load_linted(
        self, items: list[InputFile], progress: Callable[[int], None]
    ) -> list[Resource]:
        """Load and check every linted file: on all cores when there are many."""
        if self.engine.cache is not None:
            return self._load_linted_cached(items, progress)
        resources: list[Resource] = []
        jobs = parallel.worker_count(self.engine.jobs, len(items))
        if jobs <= 1:
            for item in items:
                resources.extend(self._held(self.load(item, context_only=False)))
                progress(1)
            return resources
        for part in parallel.map_chunks(self, _check_chunk, items, jobs):
            resources.extend(self._merge(part))
            progress(part.result.files)
        return resources

    def part(self, resources: list[Resource]) -> _Part:
        """What a worker sends back for its files; its own state starts afresh."""
        part = _Part(
            resources,
            self.suppressions,
            self.findings,
            self.explained,
            self.not_validated,
            self.result,
        )
        self.suppressions, self.findings, self.explained = {}, set(), set()
        self.not_validated, self.result = {}, LintResult()
        return part

    def _merge(self, part: _Part, key: str | None = None) -> list[Resource]:
        """Take in a part's state; its objects as the cross-object phase holds
        them. `key`: its cache entry's, for the next run's snapshot."""
        self.suppressions.update(part.suppressions)
        self.findings |= part.findings
        self.explained |= part.explained
        self.not_validated.update(part.not_validated)
        self.result.notices += part.result.notices
        self.result.files += part.result.files
        self.result.objects += part.result.objects
        self.result.inventory.update(part.result.inventory)
        snapshot = self._snapshot
        if snapshot is not None and key is not None:
            snapshot.keep(key, part)
            if snapshot.taken(part):  # held already, as the last run held it
                return part.resources
        return self._held(part.resources)

    def _cached_part(self, kind: str, key: str) -> _Part | None:
        """The part kept under `key`: from the last run's snapshot, else its entry."""
        assert self._snapshot is not None and self.engine.cache is not None
        part = self._snapshot.take(key)
        if part is None:
            part = self.engine.cache.load(kind, key)
        return part if isinstance(part, _Part) else None

    def _held(self, resources: list[Resource]) -> list[Resource]:
        """The run's objects as the cross-object phase holds them: in a large run,
        equal parts once (`kube.sharing`), across files, workers and the cache's parts."""
        for resource in resources:
            resource.data = self.shared.hold(resource.data)
        return resources

    # --- the cache's hook (k8slint.cache): a file's part kept by its key ---

    def _file_key(self, item: InputFile, context_only: bool) -> str | None:
        """Everything the per-file phase's output for `item` depends on (None: the
        file cannot be read, so the loader's own error is wanted)."""
        from k8slint.cache.keys import content_digest

        cache = self.engine.cache
        assert cache is not None
        if item.path is None:
            content = content_digest(item.data or b"")
        else:
            content = cache.file_digest(item.path)
            if content is None:
                return None
        parts = (
            self._engine_key(),
            item.display,
            item.path or "",
            content,
            *self._kind_and_tree(item),
            str(context_only),
            self._rules_key(item.display),
        )
        return content_digest("\0".join(parts).encode())

    def _kind_and_tree(self, item: InputFile) -> tuple[str, str]:
        """A file's kind and the digest of its Kustomize tree: from the last run's
        plan while it stands (they depend on the directories and the
        kustomizations alone), else classified."""
        slot = (item.display, item.path)
        found = self._kinds.get(slot)
        if found is None:
            from k8slint.cache.keys import digest

            tree = self.classifier.tree_of(item.path)
            if id(tree) not in self._tree_digests:  # one tree object per directory
                self._tree_digests[id(tree)] = (tree, digest(tree))
            kind = self.classifier.kind_of(item.display, item.path)
            found = self._kinds[slot] = (kind, self._tree_digests[id(tree)][1])
        return found

    def _engine_key(self) -> str:
        """The settings every file's result depends on, digested once a run."""
        from k8slint.cache.keys import digest

        if not self._engine_digest:
            engine = self.engine
            assert engine.cache is not None
            self._engine_digest = digest(
                engine.cache.code, engine.version, engine.strict, engine.workload_kinds
            )
        return self._engine_digest

    def _all_rules_key(self) -> str:
        """The rules with their params, digested once a run: part of every key
        (canonicalising them for each key was most of a cached run's key work)."""
        from k8slint.cache.keys import digest

        if not self._rules_digest:
            self._rules_digest = digest(sorted((r.id, r.params) for r in self.engine.rules))
        return self._rules_digest

    def _rules_key(self, file: str) -> str:
        """The rules that apply to `file`, with their configured severities, and
        the rules' params; files under the same settings share the digest (each
        file's is found once a run: its witness and its part's key ask)."""
        found = self._file_rules.get(file)
        if found is None:
            from k8slint.cache.keys import canonical, digest

            enabled, severities = self.engine.policy.for_file(file)
            shape = (frozenset(enabled), canonical(severities))
            found = self._rule_digests.get(shape)
            if found is None:
                found = self._rule_digests[shape] = digest(
                    sorted(enabled), severities, self._all_rules_key()
                )
            self._file_rules[file] = found
        return found

    def _key_of(self, item: InputFile, context_only: bool) -> str | None:
        slot = (item.display, item.path, context_only)
        if slot not in self._keys:
            self._keys[slot] = self._file_key(item, context_only)
        return self._keys[slot]

    def _run_key(
        self, stage: KustomizeStage, items: list[InputFile], context: list[InputFile]
    ) -> str | None:
        """The whole run's key: every file's key, the builds' inputs, the rules and
        the caller's settings (None: some input cannot be keyed)."""
        from k8slint.cache.keys import digest

        linted = {_identity(item) for item in items} if context else set()
        keys = [self._key_of(item, context_only=False) for item in items]
        keys += [
            self._key_of(item, context_only=True)
            for item in context
            if _identity(item) not in linted
        ]
        builds = stage.fingerprint()
        if builds is None or None in keys:
            return None
        return digest("run", *self._run_settings(), builds, keys)

    def _run_settings(self) -> tuple[Any, ...]:
        """What a whole run's result depends on beyond its files: the engine's
        settings, the caller's, the rules and the working directory (a file no
        path named is shown relative to it)."""
        cache = self.engine.cache
        assert cache is not None
        return self._engine_key(), cache.settings, self._all_rules_key(), os.getcwd()

    def _witness_key(self, items: list[InputFile], context: list[InputFile]) -> str | None:
        """The key of the run's witness (`k8slint.cache.witness`): what the run key
        holds that is not read from disk, and the files as named (None: a file
        given as bytes, which no stat vouches for)."""
        from k8slint.cache.keys import command_identity, content_digest, digest

        if any(item.path is None for item in itertools.chain(items, context)):
            return None
        cache = self.engine.cache
        assert cache is not None

        def named(item: InputFile) -> str:  # with the rules that apply to it
            return f"{item.display}\0{item.path}\0{self._rules_key(item.display)}"

        files = "\0".join(map(named, items)) + "\1" + "\0".join(map(named, context))
        return digest(
            "witness",
            *self._run_settings(),
            command_identity(self.engine.kustomize_command, cache.code),
            content_digest(files.encode()),
        )

    def _recall(self, witness_key: str) -> LintResult | None:
        """The whole run's result, when its witness vouches that no local file it
        read changed and its remote builds (run again) gave the same output."""
        from k8slint.cache import RUNS

        cache = self.engine.cache
        assert cache is not None
        remembered = cache.recall_run(witness_key)
        if not (isinstance(remembered, tuple) and len(remembered) == 2):
            return None
        run_key, remote_builds = remembered
        cached = cache.load(RUNS, run_key)
        engine = self.engine
        if not _is_run_entry(cached) or cached[0] != rebuild(
            engine.kustomize_command, remote_builds, engine.kustomize_timeout, cache
        ):
            return None
        return cached[1]

    def _load_linted_cached(
        self, items: list[InputFile], progress: Callable[[int], None]
    ) -> list[Resource]:
        """`_load_linted` through the cache: each file's part from it, or made (on
        all cores when many) and kept; merged in input order, as without a cache
        (the cross-object view and the inventory keep that order)."""
        from k8slint.cache import FILES

        cache = self.engine.cache
        assert cache is not None
        keys = [self._key_of(item, context_only=False) for item in items]
        parts = [self._cached_part(FILES, key) if key else None for key in keys]
        missing = [index for index, part in enumerate(parts) if part is None]
        progress(len(items) - len(missing))
        todo = [items[index] for index in missing]
        jobs = parallel.worker_count(self.engine.jobs, len(todo))
        made: Iterable[_Part] = (
            (part for chunk in parallel.map_chunks(self, _file_parts, todo, jobs) for part in chunk)
            if jobs > 1
            else (self._file_part(item) for item in todo)
        )
        for index, part in zip(missing, made, strict=True):
            parts[index] = part
            progress(1)
        return [
            resource
            for part, key in zip(parts, keys, strict=True)
            if part is not None
            for resource in self._merge(part, key)
        ]

    def _file_part(self, item: InputFile) -> _Part:
        """Load and check one linted file into a part of its own, and keep it. The
        run's state is empty here: parts are merged after every file is done."""
        from k8slint.cache import FILES

        part = self.part(self.load(item, context_only=False))
        key = self._key_of(item, context_only=False)
        if key is not None and self.engine.cache is not None:
            self.engine.cache.save(FILES, key, part)
        return part

    def _load_context(self, item: InputFile) -> list[Resource]:
        """`load` of a context file, through the cache."""
        cache = self.engine.cache
        key = self._key_of(item, context_only=True) if cache is not None else None
        if cache is None or key is None:
            return self._held(self.load(item, context_only=True))
        from k8slint.cache import FILES

        part = self._cached_part(FILES, key)
        if part is None:
            saved = self.part([])  # this file's state alone makes its part
            part = self.part(self.load(item, context_only=True))
            cache.save(FILES, key, part)
            self._restore(saved)
        return self._merge(part, key)

    def _restore(self, part: _Part) -> None:
        """Put back the state that `part` took away."""
        self.suppressions, self.findings, self.explained = (
            part.suppressions,
            part.findings,
            part.explained,
        )
        self.not_validated, self.result = part.not_validated, part.result

    def load(self, item: InputFile, context_only: bool) -> list[Resource]:
        """A file's objects, checked (unless `context_only`) and then holding only
        what the cross-object phase reads."""
        if item.regular and item.path:
            self.classifier.saw_file(item.path)
        kind = self.classifier.kind_of(item.display, item.path)
        skipped = kind in SKIPPED_NOTICES
        tree = None if skipped else self.classifier.tree_of(item.path)
        rules = frozenset() if context_only else self.engine.policy.for_file(item.display)[0]
        checking = _Checking(self, item.display, _Stamp(kind, tree, context_only, rules))
        loaded = _skipped(item.display, kind) if skipped else self._read(item, checking)
        suppressions = checking.rest(loaded)
        if not context_only:
            self.result.files += 1
            self.result.objects += len(loaded.resources)
            self.result.inventory[loaded.path] = [resource.ref for resource in loaded.resources]
            self._report_load(loaded, suppressions)
        loaded.nodes.release()
        return loaded.resources

    def _read(self, item: InputFile, checking: _Checking) -> LoadedFile:
        """Load a file (`checking` sees its documents' objects as they are made); a
        Helm template that does not parse gets its notice and no objects."""
        from k8slint.load.loader import load_bytes, load_file

        loaded = (
            load_file(item.path, item.display, each=checking, memo=self.documents)
            if item.path
            else load_bytes(item.data or b"", item.display, checking, self.documents)
        )
        if loaded.parse_failed and is_template_text(loaded.text):
            checking.forget()
            return _skipped(item.display, HELM_TEMPLATE)
        return loaded

    def _forget(self, file: str) -> None:
        """Unsay what the checks of a file's objects said: it proved a Helm template
        after its first documents were checked (rare: a scan of every text for
        `{{` before its first document cost more than this for every template)."""
        self.findings = {finding for finding in self.findings if finding.file != file}
        self.explained = {explained for explained in self.explained if explained[0] != file}
        self.not_validated = {
            key: entry for key, entry in self.not_validated.items() if entry.file != file
        }
        self.result.notices = [notice for notice in self.result.notices if notice.file != file]

    def _check_objects(self, resources: list[Resource], stamp: _Stamp) -> None:
        """Stamp a file's objects, run their per-object checks (none for a context
        file) and shed what the cross-object phase does not read."""
        for resource in resources:
            resource.file_kind = stamp.kind
            resource.kustomize_tree = stamp.tree
            resource.context_only = stamp.context_only
            resource.template_path = self.engine.workload_kinds.get(
                (resource.api_group, resource.kind or "")
            )
            if not stamp.context_only:
                self._read_annotations(resource)
                self._run_resource_checks(resource, stamp.rules)
            _keep_for_run_checks(resource)

    def _report_load(self, loaded: LoadedFile, suppressions: Suppressions) -> None:
        for line, message in loaded.notices:
            self.result.notices.append(Notice(loaded.path, line, message))
        for line, message in suppressions.unknown:
            self.result.notices.append(Notice(loaded.path, line, message))
        enabled, severities = self.engine.policy.for_file(loaded.path)
        for issue in loaded.issues:
            rule = self.engine.loader_rules.get(issue.rule)
            if rule is None or rule.id not in enabled or suppressions.covers(rule.id, issue.line):
                continue
            self.findings.add(
                Finding(
                    loaded.path,
                    issue.line,
                    issue.column,
                    rule.id,
                    severities.get(rule.id) or rule.severity,
                    issue.message,
                    identity="",
                )
            )

    def _run_resource_checks(self, resource: Resource, rules: Collection[str] | None) -> None:
        """The per-object checks of `rules` (None: every rule, for a build's objects,
        whose findings land in the files they came from) that apply to its type."""
        applicable = self.engine.applicable_rules(resource)
        key = (id(rules), id(applicable))
        found = self._to_run.get(key)
        if found is None or found[0] is not rules or found[1] is not applicable:
            to_run = [
                (rule, bound, self._context(rule))
                for rule, bound in self.engine.resource_checks
                if rule.id in applicable and (rules is None or rule.id in rules)
            ]
            found = self._to_run[key] = (rules, applicable, to_run)
        for rule, bound, context in found[2]:
            try:
                for problem in bound.function(resource, context):
                    self._emit(rule, resource, problem, identity=None)
            except Exception as error:  # one broken check must not end the run
                self._internal_error(rule, resource, error)

    def _run_run_checks(self, resources: list[Resource]) -> None:
        """The cross-object checks on the run's view; with a cache, the verdicts
        they gave on a view that reads the same (`k8slint.cache.crossobject`),
        placed again against this run's objects."""
        from k8slint.kube.index import RunIndex

        cache = self.engine.cache
        if cache is None:
            self._check_across(RunIndex(resources), self.engine.run_checks)
            return
        from k8slint.cache.crossobject import ObjectDigests

        # The settings hold the working directory, which the checks read too
        # (`Resource.directory`, left out of the objects' part of the key).
        settings = self._run_settings()
        whole = _WholeIndex(resources)
        digests = ObjectDigests()
        for checks, view in self._check_groups(resources):
            if checks[0][1].per_component:
                self._check_parts(checks, view, settings, whole, digests)
            else:
                self._check_view(checks, view, (settings, _ids(checks)), whole, digests)

    def _check_view(
        self,
        checks: list[tuple[Rule, Check]],
        view: list[Resource],
        settings: Any,
        whole: _WholeIndex,
        digests: ObjectDigests,
        index: RunIndex | None = None,
    ) -> None:
        """`checks`' verdicts on `view`: those kept under its key (with `facts` that
        the run still answers alike), else the checks run on `index` (the whole
        run's by default) and their verdicts kept."""
        from k8slint.cache import CROSS
        from k8slint.cache.crossobject import Recorder, Recording, view_key

        cache = self.engine.cache
        assert cache is not None
        key = view_key(view, settings, digests)
        found = cache.load(CROSS, key) if key else None
        if isinstance(found, Recording) and (not found.facts or whole.index.answers(found.facts)):
            self._replay(found, view)
            return
        index = index or whole.index
        recorder = self._recorder = Recorder(view)
        try:
            self._check_across(index, checks)
        finally:
            self._recorder = None
        recorder.recording.facts = index.facts
        if key and recorder.recording.complete:
            cache.save(CROSS, key, recorder.recording)

    def _check_parts(
        self,
        checks: list[tuple[Rule, Check]],
        resources: list[Resource],
        settings: Any,
        whole: _WholeIndex,
        digests: ObjectDigests,
    ) -> None:
        """The checks that are judged per component (`Check.per_component`), on
        each part of the run (`kube.components`) apart, with the part's objects
        and every object the whole run's lookups read of any part (`run_wide`)
        in its key: an edit runs them again on its part alone."""
        from k8slint.cache.crossobject import view_key
        from k8slint.kube.components import parts
        from k8slint.kube.index import RunIndex, run_wide
        from k8slint.kube.openapi import builtin_kind_names

        builtin = builtin_kind_names()
        wide = [resource for resource in resources if run_wide(resource, builtin)]
        wide_key = view_key(wide, (settings, _ids(checks)), digests)
        if wide_key is None:  # data that does not pickle: checked, not kept
            self._check_across(whole.index, checks)
            return
        for positions in parts(resources):
            part = [resources[position] for position in positions]
            index = RunIndex(part, whole=whole.index)
            self._check_view(checks, part, wide_key, whole, digests, index)

    def _check_groups(
        self, resources: list[Resource]
    ) -> Iterator[tuple[list[tuple[Rule, Check]], list[Resource]]]:
        """The cross-object checks in groups whose verdicts are kept apart, each
        with the objects it reads: the checks that read every object together,
        those judged per component (`Check.per_component`) together, and each
        check that declares what it reads (`Check.reads`) alone, with those
        objects only (an edit of any other object leaves its key as it was)."""
        for per_component in (False, True):
            together = [
                (rule, bound)
                for rule, bound in self.engine.run_checks
                if not bound.reads and bound.per_component is per_component
            ]
            if together:
                yield together, resources
        for rule, bound in self.engine.run_checks:
            if bound.reads:
                yield [(rule, bound)], [resource for resource in resources if bound.reads(resource)]

    def _check_across(self, index: RunIndex, checks: list[tuple[Rule, Check]]) -> None:
        """Run `checks` on the whole index; a verdict about an object outside the
        recorder's view is emitted, and the recording not kept (`Recorder`)."""
        recorder = self._recorder
        for rule, bound in checks:
            context = self._context(rule)
            try:
                for resource, problem in bound.function(index, context):
                    if not resource.context_only:
                        if recorder is not None:
                            recorder.problem(rule.id, resource, problem)
                        self._emit(rule, resource, problem, identity="")
            except Exception as error:
                if recorder is not None:
                    recorder.failed()
                self._internal_error(rule, None, error)

    def _replay(self, recording: Recording, resources: list[Resource]) -> None:
        """The recorded verdicts placed, suppressed and rated as if just made."""
        rules = {rule.id: rule for rule in self.engine.rules}
        for event in recording.events:
            if event[0] == "problem":
                _, rule_id, place, problem = event
                self._emit(rules[rule_id], resources[place], problem, identity="")
            else:
                self._note_not_validated(resources[event[1]])

    def _context(self, rule: Rule) -> CheckContext:
        """One per rule and run (a check may be called a hundred thousand times)."""
        context = self._contexts.get(rule.id)
        if context is None:
            from k8slint.checks.api import CheckContext

            engine = self.engine
            context = CheckContext(
                engine.version, rule.params, engine.strict, self._note_not_validated
            )
            self._contexts[rule.id] = context
        return context

    def _note_not_validated(self, resource: Resource) -> None:
        if self._recorder is not None:
            self._recorder.not_validated(resource)
        if not resource.context_only:
            line, _ = resource.pos(())
            key = (resource.file, resource.doc_index, line)
            self.not_validated[key] = NotValidated(resource.file, line, resource.ref)

    def _suppressions_of(self, file: str) -> Suppressions:
        """The comments of the file a finding points into (read once if it was not
        loaded: a built object's finding may point at its base or a patch)."""
        if file not in self.suppressions:
            self.suppressions[file] = parse_comments(_read_text(file), self.engine.known_ids)
        return self.suppressions[file]

    def _emit(self, rule: Rule, resource: Resource, problem: Problem, identity: str | None) -> None:
        """The one place a problem becomes a finding: the rule decided for the file
        the finding points into, then `explains`, suppression and severity.
        `identity` is "" for cross-object checks (see `Finding.identity`)."""
        where = resource.location(problem.path)
        message = f"{problem.message} ({where.note})" if where.note else problem.message
        enabled, severities = self.engine.policy.for_file(where.file)
        if rule.id not in enabled:
            return
        # Recorded before suppression: a problem the specific rule found is
        # explained even where the user silenced it, and not repeated by `schema`.
        for explained in rule.explains:
            self.explained.add((where.file, where.line, where.column, problem.path, explained))
        if self._suppressions_of(where.file).covers(rule.id, where.line):
            return
        if rule.id in resource.derived.get(_IGNORED, ()):
            return
        self.findings.add(
            Finding(
                where.file,
                where.line,
                where.column,
                rule.id,
                severities.get(rule.id) or problem.severity or rule.severity,
                message,
                problem.path,
                resource.ref,
                identity,
                builds=(resource.build,) if resource.build else (),
                fix=problem.fix.at(resource) if problem.fix and resource.origin is None else None,
            )
        )

    def _read_annotations(self, resource: Resource) -> None:
        rules = annotation_rules(resource)
        if not rules:
            return
        resource.derived[_IGNORED] = rules
        for unknown in sorted(rules - set(self.engine.known_ids)):
            line, _ = resource.pos(("metadata", "annotations"))
            self.result.notices.append(
                Notice(resource.file, line, f"unknown rule id {unknown!r} in ignore annotation")
            )

    def _internal_error(self, rule: Rule, resource: Resource | None, error: Exception) -> None:
        import traceback  # on a bug only: not imported by every run

        where = resource.file if resource else "<run>"
        line = resource.pos(())[0] if resource else 0
        detail = "".join(traceback.format_exception_only(type(error), error)).strip()
        notice = Notice(
            where,
            line,
            f"internal error in rule {rule.id}: {detail} "
            "(please report it; the rest of the run went on)",
            is_error=True,
        )
        if resource is not None or notice not in self.result.notices:
            self.result.notices.append(notice)  # a cross-object check: once, not once a part


def _ids(checks: list[tuple[Rule, Check]]) -> list[str]:
    return [rule.id for rule, _ in checks]


class _WholeIndex:
    """The run's index, made when first asked: a run whose cross-object verdicts
    all come from the cache, with no facts to check, needs none."""

    def __init__(self, resources: list[Resource]) -> None:
        self._resources = resources
        self._index: RunIndex | None = None

    @property
    def index(self) -> RunIndex:
        if self._index is None:
            from k8slint.kube.index import RunIndex

            self._index = RunIndex(self._resources)
        return self._index


def _worth_a_plan(items: list[InputFile], context: list[InputFile]) -> bool:
    """Whether a run keeps a plan (`k8slint.cache.plan`): it saves classifying the
    files and walking the Kustomize roots' inputs again, for a read, the stat of
    what it saw and, once a directory it saw changed, a write. A lint of one
    file that is not a Kustomize file and has no context (a pre-commit hook's,
    an editor's) is classified with a few stats, less than the plan costs."""
    if context or len(items) != 1 or items[0].path is None:
        return True
    return os.path.basename(items[0].path) in KUSTOMIZE_FILE_NAMES


def _is_run_entry(entry: Any) -> TypeGuard[tuple[str, LintResult]]:
    """A whole run's entry: what the remote builds gave, and the result."""
    return (
        isinstance(entry, tuple)
        and len(entry) == 2
        and isinstance(entry[0], str)
        and isinstance(entry[1], LintResult)
    )


BUILD_RULE = "kustomize-build"
"""The rule a failed Kustomize build is reported under."""


def _merge_builds(findings: Iterable[Finding]) -> list[Finding]:
    """One finding for the same problem at the same place found through several
    builds, naming them all (`(in build overlays/prod, overlays/staging)`). The
    object it names is the one of the first build in order (each build may name
    it differently: a `namePrefix`), so the report is the same from run to run."""
    merged: dict[Finding, set[str]] = {}
    for finding in sorted(findings):
        key = replace(finding, builds=())
        merged.setdefault(key, set()).update(finding.builds)
    out = []
    for finding, builds in merged.items():
        if builds:
            names = tuple(sorted(builds))
            message = f"{finding.message} (in build {', '.join(names)})"
            finding = replace(finding, message=message, builds=names)
        out.append(finding)
    return sorted(out)


class _Stamp(NamedTuple):
    """What the engine says of every object of a file before its checks run."""

    kind: str
    tree: KustomizeTree | None
    context_only: bool
    rules: Collection[str]
    """The rules that apply to the file (none for a context file)."""


class _Checking:
    """A file's per-object phase, run on each document's objects as the loader
    makes them (`load.loader.Loaded`): the document's node tree then goes before
    the next is composed, while it is still in the processor's cache (freeing the
    trees file by file was 6% of a lint, at the file's end: most of it cache
    misses). A text that fails to parse may prove a Helm template, whose objects
    are not linted: what was said of them is then unsaid (`forget`)."""

    __slots__ = ("_checked", "_display", "_run", "_stamp", "_suppressions")

    def __init__(self, run: _Run, display: str, stamp: _Stamp) -> None:
        self._run, self._display, self._stamp = run, display, stamp
        self._suppressions: Suppressions | None = None
        self._checked = 0

    def __call__(self, loaded: LoadedFile, resources: list[Resource]) -> bool:
        if self._suppressions is None:  # the comments hold before the first finding
            self._suppress(loaded)
        self._run._check_objects(resources, self._stamp)
        self._checked += len(resources)
        return True

    def forget(self) -> None:
        """The file proved a Helm template (it failed to parse, with `{{`): what its
        objects' checks said is unsaid, and its comments are those of no text."""
        if self._checked:
            self._run._forget(self._display)
        self._checked = 0
        self._suppressions = None

    def rest(self, loaded: LoadedFile) -> Suppressions:
        """Once the file is loaded (or skipped): the objects not checked yet; the
        file's suppressions."""
        suppressions = self._suppressions or self._suppress(loaded)
        self._run._check_objects(loaded.resources[self._checked :], self._stamp)
        return suppressions

    def _suppress(self, loaded: LoadedFile) -> Suppressions:
        found = parse_comments(loaded.text, self._run.engine.known_ids)
        self._suppressions = self._run.suppressions[self._display] = found
        return found


def _keep_for_run_checks(resource: Resource) -> None:
    """Drop the views the per-object checks shared (the Pod model and the like)
    and the bulk no cross-object check reads (`kube.packed`): the cross-object
    phase holds every object of the run at once, and rebuilds the few views it
    needs on demand, cheaper than keeping (or, from a worker, sending) them all."""
    _drop_views(resource)
    shed_bulk(resource)


def _drop_views(resource: Resource) -> None:
    """Forget the views the per-object checks shared (the cross-object checks
    rebuild the few they need), but which rules its annotations ignore."""
    ignored = resource.derived.get(_IGNORED)
    resource.derived = {_IGNORED: ignored} if ignored else {}


def _skipped(display: str, kind: str) -> LoadedFile:
    from k8slint.load.loader import LoadedFile

    loaded = LoadedFile(display)
    loaded.notices.append((1, SKIPPED_NOTICES[kind]))
    return loaded


def _read_text(file: str) -> str:
    try:
        with open(file, encoding="utf-8-sig", errors="replace") as handle:
            return handle.read()
    except OSError:
        return ""
