"""A run's Kustomize work: start the builds, then say what replaces the raw files.

The engine starts a `KustomizeStage` before its per-file work (builds run in
threads beside it) and calls `finish` before the cross-object checks. A root
that built replaces, in the cross-object view and in per-object findings, the
raw objects of every file it read; a root that did not build (no binary, or
Kustomize failed) keeps its raw files, seen through what its kustomizations
say (`raw`).
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from k8slint.kube.filekinds import KUSTOMIZE_FILE_NAMES
from k8slint.kustomize.build import DEFAULT_TIMEOUT, BuildOutput, run_build
from k8slint.kustomize.tree import (
    Build,
    Reader,
    find_roots,
    kustomizations_under,
    members,
    repository_top,
)
from k8slint.load.discover import InputFile
from k8slint.load.paths import RealPaths
from k8slint.model import Resource

if TYPE_CHECKING:
    # Imported when used: the threads and the cache by a run with builds or a
    # cache; `raw` by one with a root that did not build; `origin` (and the
    # loader, YAML) by one with a root that did. A one-file lint needs none.
    from concurrent.futures import Future, ThreadPoolExecutor

    from k8slint.cache import Cache
    from k8slint.kustomize import raw
    from k8slint.kustomize.origin import Documents

MAX_PARALLEL_BUILDS = 4

REMOTE_TTL = 300.0
"""Seconds a remote build's output (or failure) is reused for before it is
fetched again (docs/cache.md, "Remote builds"): re-lints in a row (pre-commit,
an editor) do not wait on the network each time."""

RAW_NOTICE = (
    "Kustomize overlays were linted raw (no `kustomize` or `kubectl` on PATH): "
    "their namespace, labels and name prefixes/suffixes are applied to cross-object checks, "
    "but patches are not; install kustomize or kubectl, or name one with "
    "--kustomize-command, for build-aware linting"
)


class BuiltChecks(Protocol):
    """What the engine does with a root's built objects (their per-object checks):
    `make` builds them; `key` (None: not kept) is what they and their findings
    depend on beyond the engine's settings (see `KustomizeStage.built_key`)."""

    def __call__(
        self, key: str | None, make: Callable[[], list[Resource] | None]
    ) -> list[Resource] | None: ...


def _unchecked(key: str | None, make: Callable[[], list[Resource] | None]) -> list[Resource] | None:
    return make()


@dataclass(slots=True)
class Outcome:
    """What the builds say, for the engine."""

    built: list[Resource] = field(default_factory=list)
    failures: list[tuple[Build, str]] = field(default_factory=list)
    covered: set[str] = field(default_factory=set)
    """Displayed paths of the files a successful build read: their raw objects
    give way to the built ones."""
    raw_views: dict[str, list[raw.Transform]] = field(default_factory=dict)
    """Per displayed file of a root that was not built: one view per root."""
    notices: list[tuple[str, str]] = field(default_factory=list)

    def view(self, resources: list[Resource]) -> list[Resource]:
        """The cross-object view: raw objects of built files replaced by the built
        ones, raw objects of unbuilt roots seen as their kustomizations make them."""
        kept: list[Resource | None] = []
        """In order; None where a raw view goes (a build's views are made together)."""
        viewed: list[tuple[raw.Transform, Resource]] = []
        for resource in resources:
            if resource.file in self.covered:
                continue
            views = self.raw_views.get(resource.file, ())
            viewed += [(transform, resource) for transform in views]
            kept += [None] * len(views) if views else [resource]
        if not viewed:  # no root that did not build: nothing for `raw` to do
            return [r for r in kept if r is not None] + self.built
        from k8slint.kustomize import raw

        views_made = iter(raw.view(viewed))
        return [next(views_made) if r is None else r for r in kept] + self.built


class StagePlan(NamedTuple):
    """What a stage found on disk (`KustomizeStage.plan`): its roots, the builds
    only partly linted, and per root (input key, local key, the files the local
    key digests)."""

    roots: list[Build]
    partial: frozenset[str]
    keys: dict[Build, tuple[str | None, str | None, frozenset[str]]]
    built: dict[Build, tuple[str, str]]
    """Per root built from a cached output: (the output's key, the key its built
    objects are kept under): while the output's key is the same, the next run
    takes the objects without reading the output."""
    members: dict[Build, frozenset[str]]
    """Per built root, the displayed paths of the files it reads."""


class KustomizeStage:
    """The builds of one run, started at once and collected by `finish`."""

    def __init__(
        self,
        command: list[str] | None,
        files: list[InputFile],
        context: list[InputFile],
        read: Reader,
        timeout: float = DEFAULT_TIMEOUT,
        cache: Cache | None = None,
        plan: StagePlan | None = None,
        edited: frozenset[str] = frozenset(),
    ) -> None:
        """`plan`: what a run with the same files named found, while no directory
        or kustomization changed since (`k8slint.cache.plan`); `edited`: the
        files (absolute) whose content may have changed since."""
        self._read = read
        self._cache = cache
        real = {id(item): item.resolved() for item in [*files, *context] if item.path}
        self._displays = {real[id(item)]: item.display for item in [*files, *context] if item.path}
        self._shown: dict[str, str] = {}
        """`display`'s answers, by the path asked for."""
        self._real_paths = RealPaths()
        """Each directory resolved once: the files `display` is asked for are a
        few hundred in a few dozen kustomization directories."""
        linted = {real[id(item)] for item in files if item.path}
        self.linted = {self._displays[path] for path in linted}
        self.roots: list[Build] = []
        self.partial: set[str] = set()
        """Builds whose root kustomization is not linted (pre-commit hands over the
        changed files): only their findings in linted files are reported."""
        if plan is not None:
            self.roots, self.partial = list(plan.roots), set(plan.partial)
        else:
            self._find_roots(files, context, linted)
        self._command = command
        self._executor: ThreadPoolExecutor | None = None
        self._futures: dict[Build, Future[BuildOutput]] = {}
        self._cached: set[Build] = set()
        self._started = time.time()
        self._names_digest = ""
        self.command_identity = ""
        self.unsettled = False
        """A build failed in a way another run may not repeat (a timeout)."""
        self._inputs: dict[Build, frozenset[str]] = {}
        """Per root, the local files its local key digests."""
        self.input_keys: dict[Build, str | None] = {}
        """Per root, the digest of every file its build could read (None: remote
        or unreadable): with the command, the key of its cached output."""
        self.local_keys: dict[Build, str | None] = {}
        """Per root the input key read without fetching (remote names aside): what
        the run key holds of a remote build, and part of its output's key."""
        self._timeout = timeout
        self._members: dict[Build, frozenset[str]] = dict(plan.members) if plan else {}
        """Per built root, `_members_shown`."""
        self._built_keys: dict[Build, tuple[str, str]] = {}
        """Per root built from a cached output, (the output's key, its built objects' key)."""
        self._planned: dict[Build, tuple[str, str]] = {}
        """The roots whose cached output is read only if their built objects
        are not kept under the key the plan holds for it."""
        if cache is not None:
            self._keys(cache, plan, edited)
        for build, (output_key, built_key) in (plan.built if plan else {}).items():
            if output_key == self._output_key(build):
                self._planned[build] = (output_key, built_key)
        pending = [b for b in self.roots if b not in self._planned and not self._from_cache(b)]
        if command and pending:
            from concurrent.futures import ThreadPoolExecutor

            self._executor = ThreadPoolExecutor(min(MAX_PARALLEL_BUILDS, len(pending)))
            for build in pending:
                self._futures[build] = self._executor.submit(
                    run_build, command, build.directory, build.display, timeout
                )

    def _find_roots(
        self, files: list[InputFile], context: list[InputFile], linted: set[str]
    ) -> None:
        """The roots of the files' kustomizations, and those elsewhere in the
        repository that build a linted file (`partial`, with the roots whose root
        kustomization is not linted)."""
        found = [
            (item.resolved(), item.display)
            for item in [*files, *context]
            if item.path and os.path.basename(item.path) in KUSTOMIZE_FILE_NAMES
        ]
        self.roots = find_roots(found, self._read)
        linted_dirs = _linted_dirs(linted)
        self.partial = {b.display for b in self.roots if b.directory not in linted_dirs}
        enclosing = self._enclosing_roots(linted, {b.directory for b in self.roots})
        self.roots += enclosing
        self.partial |= {build.display for build in enclosing}

    # --- the cache's seam: a build's output kept by the digest of what it read ---

    def _keys(self, cache: Cache, plan: StagePlan | None, edited: frozenset[str]) -> None:
        """Every root's keys: the plan's for a root none of whose files was edited."""
        from k8slint.cache.keys import command_identity

        self.command_identity = command_identity(self._command, cache.code)
        for build in self.roots:
            known = plan.keys.get(build) if plan is not None else None
            if known is None or known[1] is None or known[2] & edited:
                known = self._root_keys(cache, build)
            self.input_keys[build], self.local_keys[build], self._inputs[build] = known

    def _root_keys(
        self, cache: Cache, build: Build
    ) -> tuple[str | None, str | None, frozenset[str]]:
        """A root's input key, its local key (the input key, or for a root that
        names something remote the key of its local files; None: one cannot be
        read) and the files the local key digests."""
        from k8slint.cache.builds import build_input_files, inputs_key

        digest, saw = cache.file_digest, cache.witness.saw_directory
        fetches = bool(self._command)
        files = build_input_files(build.directory, self._read, fetches, saw)
        inputs = None if files is None else inputs_key(build.directory, files, digest)
        if inputs is not None:
            return inputs, inputs, files or frozenset()
        files = build_input_files(build.directory, self._read, False, saw)
        local = None if files is None else inputs_key(build.directory, files, digest)
        return None, local, files or frozenset()

    def plan(self) -> StagePlan:
        """What this stage found, for a later run's (see `__init__`)."""
        keys = {b: (self.input_keys[b], self.local_keys[b], self._inputs[b]) for b in self.roots}
        members_shown = {b: self._members[b] for b in self.roots if b in self._members}
        return StagePlan(
            list(self.roots), frozenset(self.partial), keys, dict(self._built_keys), members_shown
        )

    def _output_key(self, build: Build) -> str | None:
        from k8slint.cache.keys import digest

        inputs = self.input_keys.get(build)
        if inputs is None or not self._command:
            return None
        return digest("build", self.command_identity, build, inputs)

    def _remote_key(self, build: Build) -> str | None:
        """The key of a remote build's recent output: the command, the root and
        its local files (None: not a remote build, or a local file is unreadable)."""
        from k8slint.cache.keys import digest

        local = self.local_keys.get(build)
        if self.input_keys.get(build) is not None or local is None or not self._command:
            return None
        return digest("remote", self.command_identity, build, local)

    def fingerprint(self) -> tuple[Any, ...] | None:
        """What the stage's outcome depends on beyond the linted files, for the run
        entry's key: the roots, the local files each could read, the command (None:
        a root's files cannot all be read). A root that names something remote
        is keyed by its local files here; what it fetched is `remote_outputs`."""
        roots = [(build, self.local_keys.get(build)) for build in self.roots]
        if any(inputs is None for _, inputs in roots):
            return None
        return (roots, sorted(self.partial), self.command_identity)

    @property
    def remote_builds(self) -> list[tuple[Build, str | None]]:
        """The roots whose output is not cached by their inputs, with the key of
        their recent output (None: built on every run): they fetch something
        (or a file of theirs could not be read)."""
        return [
            (b, self._remote_key(b))
            for b in self.roots
            if self.input_keys.get(b) is None and b in self._futures
        ]

    def remote_outputs(self) -> str | None:
        """What the builds that fetch something remote gave this time (waiting for
        them, and keeping what they fetched for `REMOTE_TTL`): a whole run stands
        for this one only if they gave the same. None: one of them timed out or
        could not run, which the next run may not repeat."""
        outputs = [(build, key, self._futures[build].result()) for build, key in self.remote_builds]
        if self._cache is not None:
            for build, key, output in outputs:
                if build not in self._cached:
                    keep_remote(self._cache, key, self._started, output)
                    self._cached.add(build)
        return outputs_digest((build, output) for build, _, output in outputs)

    def _from_cache(self, build: Build) -> bool:
        """A cached output stands for the build: its YAML, or Kustomize's error on
        the same local inputs (never a timeout); a remote build's for `REMOTE_TTL`."""
        if self._cache is None:  # nothing to import or look up (a raw run's setup)
            return False
        from concurrent.futures import Future

        from k8slint.cache import BUILDS

        key = self._output_key(build)
        output = self._cache.load(BUILDS, key) if key else None
        if output is None:
            output = recent_remote(self._cache, self._remote_key(build))
        if not isinstance(output, BuildOutput) or not output.settled:
            return False
        done: Future[BuildOutput] = Future()
        done.set_result(output)
        self._futures[build] = done
        self._cached.add(build)
        return True

    def _keep(self, build: Build, output: BuildOutput) -> None:
        from k8slint.cache import BUILDS

        if self._cache is None or build in self._cached or not output.settled:
            return
        if self._remote_key(build) is not None:
            return  # kept by `remote_outputs`, with its time
        key = self._output_key(build)
        if key is not None:
            self._cache.save(BUILDS, key, output)

    def abandon(self) -> None:
        """The run needs no build after all (its whole result was cached)."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)

    def _enclosing_roots(self, linted: set[str], known: set[str]) -> list[Build]:
        """Roots elsewhere in the repository that build a linted file no known root
        reads: a changed base is linted through every overlay that uses it."""
        covered = {path for root in known for path in members(root, self._read)}
        by_directory: dict[str, str | None] = {}  # the answer depends on the directory only
        seen: dict[str, tuple[bool, bool]] = {}
        for path in linted - covered:
            directory = os.path.dirname(path)
            if directory not in by_directory:
                by_directory[directory] = repository_top(path, seen)
        tops = {top for top in by_directory.values() if top}
        found: dict[str, Build] = {}
        saw = self._cache.witness.saw_directory if self._cache is not None else None
        for top in sorted(tops):
            kustomizations = kustomizations_under(top, saw)
            everything = [(path, self.display(path)) for path in kustomizations]
            for build in find_roots(everything, self._read):
                if build.directory not in known and members(build.directory, self._read) & linted:
                    found[build.directory] = build
        return list(found.values())

    def reported(self, file: str, builds: tuple[str, ...]) -> bool:
        """Whether a finding is reported: not when it came only through builds that
        were found for other files and it points outside the linted files."""
        return not builds or file in self.linted or not set(builds) <= self.partial

    def display(self, path: str) -> str:
        """A file as the user named it (or relative to here, if not named); once
        per path and run (every root that reads a base asks for its files)."""
        shown = self._shown.get(path)
        if shown is None:
            real = self._real_paths.of(path)
            if real in self._displays:
                shown = self._displays[real]
            else:
                relative = os.path.relpath(real)
                shown = real if relative.startswith("..") else relative
            self._shown[path] = shown
        return shown

    def finish(self, loaded: list[Resource], checked: BuiltChecks = _unchecked) -> Outcome:
        """Wait for the builds; `loaded` are the run's raw objects (their files
        need not be parsed again to find where a built object came from);
        `checked` makes a root's built objects, through the cache."""
        outcome = Outcome()
        if not self.roots:
            return outcome
        from k8slint.kustomize import raw

        documents = functools.cache(lambda: _documents(self.display, loaded))
        try:
            for build in self.roots:
                built = self._planned_build(build, checked)
                output = None if built is not None else self._output(build)
                if output is not None and output.text is not None:
                    key = self.built_key(build, output)
                    built = checked(key, functools.partial(self._built, build, output, documents))
                    if built is not None:
                        self._keep(build, output)
                        if output.settled:  # kept under its output's key
                            self._note_built(build, key)
                if built is not None:
                    outcome.built.extend(built)
                    outcome.covered |= {r.file for r in built}
                    outcome.covered |= self._members_shown(build)
                    continue
                if output is not None and output.error is not None:
                    outcome.failures.append((build, output.error))
                    self._keep(build, output)
                    self.unsettled |= not output.settled
                for path, transform in raw.transforms(build, self._read):
                    outcome.raw_views.setdefault(self.display(path), []).append(transform)
        finally:
            if self._executor is not None:
                self._executor.shutdown(wait=True)
        if outcome.raw_views and self._command is None:
            outcome.notices.append((self.roots[0].kustomization, RAW_NOTICE))
        return outcome

    def _planned_build(self, build: Build, checked: BuiltChecks) -> list[Resource] | None:
        """A root's built objects kept under the key the plan holds for its
        cached output (None: none, or not kept: then its output is read)."""
        known = self._planned.get(build)
        if known is None:
            return None
        built = checked(known[1], lambda: None)
        if built is not None:
            self._note_built(build, known[1])
        return built

    def _output(self, build: Build) -> BuildOutput | None:
        """A root's output: its build's (waited for), or for a root the plan
        deferred whose built objects were not kept after all, the cached output
        (else the build, run now)."""
        deferred = build in self._planned and build not in self._futures
        if deferred and self._command and not self._from_cache(build):
            from concurrent.futures import Future

            done: Future[BuildOutput] = Future()
            command, timeout = self._command, self._timeout
            done.set_result(run_build(command, build.directory, build.display, timeout))
            self._futures[build] = done
        future = self._futures.get(build)
        return future.result() if future else None

    def _note_built(self, build: Build, key: str | None) -> None:
        """For the plan: the key of a root's built objects, by its cached output's."""
        output_key = self._output_key(build)
        if key is not None and output_key is not None:
            self._built_keys[build] = (output_key, key)

    def _members_shown(self, build: Build) -> frozenset[str]:
        """The displayed paths of the files a root reads objects and patches from."""
        found = self._members.get(build)
        if found is None:
            paths = members(build.directory, self._read)
            found = self._members[build] = frozenset(map(self.display, paths))
        return found

    def built_key(self, build: Build, output: BuildOutput) -> str | None:
        """What a root's built objects and where their fields were written depend
        on: the output, every local file the build could read (the origins point
        into them), and how the run's files are named and loaded (a linted
        file's objects stand for its documents); None: not kept."""
        from k8slint.cache.keys import content_digest, digest

        local = self.local_keys.get(build)
        if local is None or output.text is None:
            return None
        if not self._names_digest:
            names = sorted(self._displays.items())
            self._names_digest = digest("names", names, sorted(self.linted), os.getcwd())
        text = content_digest(output.text.encode())
        return digest("built", self._names_digest, build, local, text, output.wrapper)

    def _built(
        self, build: Build, output: BuildOutput, documents: Callable[[], Documents]
    ) -> list[Resource] | None:
        from k8slint.kustomize.built import built_objects

        return built_objects(build, output, documents(), self._read, self.display)


def _documents(display: Callable[[str], str], loaded: list[Resource]) -> Documents:
    """The raw objects' documents a built object is matched against: `origin`
    (its regular expressions) is imported only by a run with a root that built."""
    from k8slint.kustomize.origin import Documents

    return Documents(display, loaded)


def outputs_digest(outputs: Iterable[tuple[Build, BuildOutput]]) -> str | None:
    """The digest of remote builds' outputs (None: one is unsettled)."""
    from k8slint.cache.keys import digest

    found = []
    for build, output in outputs:
        if not output.settled:
            return None
        found.append((build, output.text, output.error))
    return digest("remote-builds", found)


def rebuild(
    command: list[str] | None,
    builds: list[tuple[Build, str | None]],
    timeout: float,
    cache: Cache,
) -> str | None:
    """`remote_outputs` of a stage with these remote builds (`remote_builds`):
    each one's recent output, else the build run again (and kept), for
    `outputs_digest` (a cached run whose remote builds give the same stands)."""
    if not command or not builds:
        return outputs_digest(())
    from concurrent.futures import ThreadPoolExecutor

    started = time.time()

    def output(build: Build, key: str | None) -> BuildOutput:
        recent = recent_remote(cache, key)
        if recent is not None:
            return recent
        done = run_build(command, build.directory, build.display, timeout)
        keep_remote(cache, key, started, done)
        return done

    with ThreadPoolExecutor(min(MAX_PARALLEL_BUILDS, len(builds))) as pool:
        done = list(pool.map(lambda pair: output(*pair), builds))
        return outputs_digest(zip((build for build, _ in builds), done, strict=True))


def recent_remote(cache: Cache, key: str | None) -> BuildOutput | None:
    """A remote build's output fetched less than `REMOTE_TTL` ago under `key`."""
    from k8slint.cache import REMOTE

    entry = cache.load(REMOTE, key) if key else None
    if not (isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], BuildOutput)):
        return None
    fetched, output = entry
    return output if 0 <= time.time() - fetched < REMOTE_TTL else None


def keep_remote(cache: Cache, key: str | None, fetched: float, output: BuildOutput) -> None:
    """Keep a remote build's output with the time it was fetched (not a timeout,
    nor a command that could not run: the next run may not repeat them)."""
    from k8slint.cache import REMOTE

    if key is not None and output.settled:
        cache.save(REMOTE, key, (fetched, output))


def _linted_dirs(linted: set[str]) -> set[str]:
    return {
        os.path.dirname(path) for path in linted if os.path.basename(path) in KUSTOMIZE_FILE_NAMES
    }
