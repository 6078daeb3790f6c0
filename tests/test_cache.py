"""The on-disk cache (k8slint/cache): a warm run reports what a cold one does,
anything a result depends on is in its key, and a broken, shared, unwritable
or vanishing cache directory costs time, never a result or the run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import FIXTURES, REPO, engine_for, shared, web_deployment
from support import everything as _everything

import k8slint.engine.run as run_module
import k8slint.kustomize.stage as stage_module
import k8slint.load.loader as loader
from k8slint.cache import (
    BUILDS,
    DIRECTORY_NAME,
    ENV_DIRECTORY,
    FILES,
    REMOTE,
    RUNS,
    SNAPSHOTS,
    WITNESSES,
    Cache,
    digests,
    witness,
)
from k8slint.cache.store import GITIGNORE, MAGIC, SIZE_STAMP, Store
from k8slint.cache.witness import Stats
from k8slint.cli import cli
from k8slint.engine.run import LintResult
from k8slint.kube.openapi import bundled_versions
from k8slint.kustomize.build import BuildOutput
from k8slint.load.discover import discover

DEPLOYMENT = web_deployment("securityContext: {privileged: true}")
"""A per-object finding (container-privileged)."""

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: nope}
  ports: [{port: 80}]
"""

HAS_KUSTOMIZE = bool(shutil.which("kustomize") or shutil.which("kubectl"))


def _lint(paths, cache_dir=None, **engine_options):
    rule_ids = engine_options.pop("rule_ids", None)
    engine = engine_for(rule_ids, **engine_options)
    engine.cache = Cache(str(cache_dir)) if cache_dir is not None else None
    return engine.lint(discover([str(p) for p in paths]).files)


def _entries(cache_dir: Path, kind: str) -> set[str]:
    folder = cache_dir / kind
    return {p.name for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


@pytest.fixture
def tree(tmp_path):
    """A small tree: a Deployment, a Service that selects nothing (cross-object)."""
    root = tmp_path / "tree"
    root.mkdir()
    (root / "deployment.yaml").write_text(DEPLOYMENT)
    (root / "service.yaml").write_text(SERVICE)
    return root


@pytest.fixture(autouse=True)
def _witnesses_vouch_for_files_written_just_before(monkeypatch):
    """A witness vouches only for what changed seconds before the run (racily
    clean files, see `k8slint.cache.witness`); here, for anything written before
    the cache was opened, so that every test of a key also runs each re-lint
    through the witness, and fails if a witness served a stale result."""
    monkeypatch.setattr(witness, "SETTLED_NS", 0)


# --- warm == cold ---------------------------------------------------------------


KUSTOMIZE_FIXTURES = sorted(
    tree for tree in FIXTURES.iterdir() if tree.is_dir() and any(tree.rglob("kustomization.yaml"))
)
"""The fixtures that hold Kustomize trees: the only ones a build lints differently."""


def _replayed_builds(monkeypatch) -> None:
    """Each build runs once from now on; a second run of the same root is given the
    first one's output. Where Kustomize is not under test: the runs that build the
    same unchanged trees again cost kubectl's seconds, while their outputs go
    through k8slint (and its cache) as a fresh build's would."""
    outputs: dict[tuple, BuildOutput] = {}
    real_build = stage_module.run_build

    def replayed(command, directory, display, timeout) -> BuildOutput:
        key = (tuple(command), directory, display, timeout)
        if key not in outputs:
            outputs[key] = real_build(command, directory, display, timeout)
        return outputs[key]

    monkeypatch.setattr(stage_module, "run_build", replayed)


@pytest.mark.parametrize("kustomize", ["none", None], ids=["raw", "built"])
def test_warm_runs_report_what_cold_runs_do(tmp_path, kustomize, monkeypatch):
    if kustomize is None and not HAS_KUSTOMIZE:
        pytest.skip("no kustomize or kubectl")
    _replayed_builds(monkeypatch)  # the cached runs' builds, as the cold run's
    corpus = shared("corpus")
    assert len(KUSTOMIZE_FIXTURES) >= 5
    paths = [
        # Built, the other fixtures would lint as they do raw: only the trees.
        *([FIXTURES] if kustomize == "none" else KUSTOMIZE_FIXTURES),
        corpus / "gke-samples" / "workloads" / "migrate-x86-app-to-multi-arch",
        corpus / "microservices-demo" / "kustomize",
    ]
    cold = _lint(paths, kustomize_command=kustomize, jobs=2)
    cache = tmp_path / "cache"
    first = _lint(paths, cache, kustomize_command=kustomize, jobs=2)
    assert _entries(cache, FILES)
    whole = _lint(paths, cache, kustomize_command=kustomize, jobs=2)
    shutil.rmtree(cache / RUNS, ignore_errors=True)  # per-file entries, cross-object rerun
    parts = _lint(paths, cache, kustomize_command=kustomize, jobs=1)
    shutil.rmtree(cache / RUNS, ignore_errors=True)
    for entry in sorted((cache / FILES).rglob("*"))[::2]:  # half of them made again by workers
        if entry.is_file():
            entry.unlink()
    half = _lint(paths, cache, kustomize_command=kustomize, jobs=2)
    assert _everything(first) == _everything(cold)
    assert _everything(whole) == _everything(cold)
    assert _everything(parts) == _everything(cold)
    assert _everything(half) == _everything(cold)


def test_a_whole_run_is_one_entry_and_a_warm_run_loads_no_file(tree, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    cold = _lint([tree], cache, kustomize_command="none")
    assert len(_entries(cache, RUNS)) == 1
    monkeypatch.setattr(loader, "load_file", _must_not_run)
    assert _everything(_lint([tree], cache, kustomize_command="none")) == _everything(cold)


def _must_not_run(*args, **kwargs):
    raise AssertionError("a cached file was loaded again")


# --- every part of a key --------------------------------------------------------


def _misses(tree, tmp_path, change, **second) -> tuple[LintResult, set[str]]:
    """Lint, apply `change`, lint again: the second run's result and the file
    entries it wrote (a miss writes one)."""
    cache = tmp_path / "cache"
    _lint([tree], cache, kustomize_command="none")
    before = _entries(cache, FILES)
    change()
    result = _lint([tree], cache, **{"kustomize_command": "none", **second})
    return result, _entries(cache, FILES) - before


def _nothing() -> None:
    return None


def test_an_unchanged_tree_writes_no_entry(tree, tmp_path):
    assert _misses(tree, tmp_path, _nothing)[1] == set()


def test_a_changed_file_is_a_miss(tree, tmp_path):
    path = tree / "deployment.yaml"
    result, new = _misses(tree, tmp_path, lambda: path.write_text(web_deployment()))
    assert len(new) == 1
    assert _everything(result) == _everything(_lint([tree], kustomize_command="none"))


def test_a_file_edited_in_place_with_its_size_and_time_kept_is_a_miss(tree, tmp_path, monkeypatch):
    """The stat shortcut: the change time moves even when a tool puts mtime back."""
    monkeypatch.setattr(digests, "SETTLED_NS", 0)
    path = tree / "deployment.yaml"
    facts = path.stat()

    def same_size_same_mtime():
        path.write_text(DEPLOYMENT.replace("privileged: true", "privileged: tru1"))
        os.utime(path, ns=(facts.st_atime_ns, facts.st_mtime_ns))

    result, new = _misses(tree, tmp_path, same_size_same_mtime)
    assert len(new) == 1
    assert _everything(result) == _everything(_lint([tree], kustomize_command="none"))
    assert any(f.rule == "schema" for f in result.findings)


def test_a_racily_recent_file_is_not_in_the_stat_index(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\n")
    index = digests.FileDigests(Store(str(tmp_path / "cache")), Stats())
    assert index.of(str(path)) is not None
    index.save()
    assert str(path) not in index._known  # changed just now: it is hashed again next time


def test_the_displayed_path_is_in_the_key(tree, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.chdir(tree)
    _lint(["deployment.yaml"], cache, kustomize_command="none")
    before = _entries(cache, FILES)
    result = _lint([tree / "deployment.yaml"], cache, kustomize_command="none")
    assert len(_entries(cache, FILES) - before) == 1
    assert {f.file for f in result.findings} == {str(tree / "deployment.yaml")}


def test_what_the_file_is_to_kustomize_is_in_the_key(tree, tmp_path):
    """The same bytes listed as a patch are judged as a patch (another kind)."""
    kustomization = tree / "kustomization.yaml"
    kustomization.write_text("patches:\n  - path: deployment.yaml\n")
    _, new = _misses(
        tree, tmp_path, lambda: kustomization.write_text("resources: [deployment.yaml]\n")
    )
    assert len(new) == 2  # the kustomization itself, and the file that is no longer a patch


def test_the_kustomize_tree_is_in_the_key(tree, tmp_path):
    """A namespace set by a kustomization changes what the file's objects mean."""
    kustomization = tree / "kustomization.yaml"
    kustomization.write_text("resources: [deployment.yaml, service.yaml]\n")
    _, new = _misses(
        tree,
        tmp_path,
        lambda: kustomization.write_text(
            "namespace: shop\nresources: [deployment.yaml, service.yaml]\n"
        ),
    )
    assert len(new) == 3


@pytest.mark.parametrize(
    "second",
    [
        {"rule_ids": ["image-tag-mutable"]},
        {"version": bundled_versions()[0]},
        {"strict": False},
    ],
    ids=["rules", "kubernetes-version", "strict"],
)
def test_engine_settings_are_in_the_key(tree, tmp_path, second):
    _, new = _misses(tree, tmp_path, _nothing, **second)
    assert len(new) == 2


def test_a_rule_option_and_a_severity_are_in_the_key(tree, tmp_path):
    cache = tmp_path / "cache"
    engine = engine_for()
    engine.cache = Cache(str(cache))
    files = discover([str(tree)]).files
    engine.lint(files)
    before = _entries(cache, FILES)
    engine.rules = [
        r._replace(params={**r.params, "x": 1}) if r.id == "image-tag-mutable" else r
        for r in engine.rules
    ]
    engine.lint(files)
    after_params = _entries(cache, FILES)
    assert len(after_params - before) == 2

    per_object = next(f for f in engine.lint(files).findings if f.identity is None)
    other = "info" if per_object.severity != "info" else "error"

    class Severe:
        def for_file(self, file):
            return {rule.id for rule in engine.rules}, {per_object.rule: other}

    engine.policy = Severe()
    result = engine.lint(files)
    assert len(_entries(cache, FILES) - after_params) == 2
    assert {f.severity for f in result.findings if f.rule == per_object.rule} == {other}


def test_custom_workload_kinds_are_in_the_key(tree, tmp_path):
    cache = tmp_path / "cache"
    _lint([tree], cache, kustomize_command="none")
    before = _entries(cache, FILES)
    engine = engine_for(kustomize_command="none")
    engine.workload_kinds = {("argoproj.io", "Rollout"): ("spec", "template")}
    engine.cache = Cache(str(cache))
    engine.lint(discover([str(tree)]).files)
    assert len(_entries(cache, FILES) - before) == 2


def test_the_code_is_in_the_key(tree, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    _lint([tree], cache, kustomize_command="none")
    before = _entries(cache, FILES)
    monkeypatch.setattr(Cache, "code", "another k8slint")
    _lint([tree], cache, kustomize_command="none")
    assert len(_entries(cache, FILES) - before) == 2


def test_the_callers_settings_are_in_the_run_key(tree, tmp_path):
    cache = tmp_path / "cache"
    for settings in ("config one", "config two"):
        engine = engine_for(kustomize_command="none")
        engine.cache = Cache(str(cache), settings)
        engine.lint(discover([str(tree)]).files)
    assert len(_entries(cache, RUNS)) == 2


def test_another_file_beside_is_a_new_run_but_no_new_file_entry(tree, tmp_path):
    """Cross-object findings depend on every file: the run entry is new, the old
    files' entries are reused."""
    cache = tmp_path / "cache"
    _lint([tree], cache, kustomize_command="none")
    files, runs = _entries(cache, FILES), _entries(cache, RUNS)
    (tree / "api.yaml").write_text(DEPLOYMENT.replace("name: web\n", "name: api\n", 1))
    result = _lint([tree], cache, kustomize_command="none")
    assert len(_entries(cache, FILES) - files) == 1
    assert len(_entries(cache, RUNS) - runs) == 1
    assert _everything(result) == _everything(_lint([tree], kustomize_command="none"))


# --- a broken, shared, unwritable or vanishing directory -----------------------


@pytest.mark.parametrize(
    "garble",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: b"garbage" * 10,
        lambda data: data[: data.index(b"\n", len(MAGIC)) + 1] + b"\x80\x05K\x07.",  # an int
        lambda data: data.replace(MAGIC, b"k8slint-cache-0\n"),
    ],
    ids=["empty", "truncated", "garbage", "foreign-object", "other-format"],
)
def test_a_broken_entry_is_a_miss_and_is_rewritten(tree, tmp_path, garble):
    cache = tmp_path / "cache"
    cold = _lint([tree], cache, kustomize_command="none")
    kinds = (FILES, RUNS, SNAPSHOTS)  # the snapshot holds the files' parts too
    entries = [p for kind in kinds for p in (cache / kind).rglob("*") if p.is_file()]
    for path in entries:
        path.write_bytes(garble(path.read_bytes()))
    warm = _lint([tree], cache, kustomize_command="none")
    assert _everything(warm) == _everything(cold)
    store = Cache(str(cache))
    for path in entries:
        assert store.load(path.parent.parent.name, path.name) is not None


def test_two_runs_at_once_share_the_cache(tree, tmp_path):
    cache = tmp_path / "cache"
    for index in range(40):  # enough files for both runs to write at the same time
        (tree / f"more-{index}.yaml").write_text(DEPLOYMENT.replace("web", f"web{index}"))
    command = [sys.executable, "-m", "k8slint", "lint", str(tree), "--format", "json"]
    command += ["--kustomize-command", "none", "--cache-dir", str(cache)]
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)
        for _ in range(2)
    ]
    outputs = [run.communicate() for run in runs]
    alone = subprocess.run(
        [*command[:-2], "--no-cache"], capture_output=True, env=environment, check=False
    )
    assert [run.returncode for run in runs] == [alone.returncode] * 2
    assert [stdout for stdout, _ in outputs] == [alone.stdout] * 2
    again = subprocess.run(command, capture_output=True, env=environment, check=False)
    assert again.stdout == alone.stdout
    assert not list(cache.rglob(".tmp-*"))


def test_an_unwritable_cache_is_one_notice_and_the_run_goes_on(tree, tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    runner = CliRunner()
    arguments = ["lint", str(tree), "--kustomize-command", "none", "--format", "json"]
    plain = runner.invoke(cli, [*arguments, "--no-cache"])
    result = runner.invoke(cli, [*arguments, "--cache-dir", str(blocked / "cache")])
    assert result.exit_code == plain.exit_code == 1
    assert result.stdout == plain.stdout
    assert result.stderr.count("cannot write the cache") == 1


def test_the_directory_deleted_mid_run_loses_nothing(tree, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    save = Cache.save

    def delete_then_save(self, kind, key, value):
        shutil.rmtree(cache, ignore_errors=True)
        save(self, kind, key, value)

    monkeypatch.setattr(Cache, "save", delete_then_save)
    cold = _lint([tree], kustomize_command="none")
    assert _everything(_lint([tree], cache, kustomize_command="none")) == _everything(cold)
    assert (cache / ".gitignore").is_file()
    assert _entries(cache, WITNESSES)  # the last one written


def test_the_size_bound_drops_the_oldest_entries(tmp_path):
    store = Store(str(tmp_path / "cache"), max_bytes=10_000)
    store.open()
    for index in range(20):
        key = f"{index:02d}" + "0" * 62
        store.put(FILES, key, b"x" * 1000)
        path = store.path(FILES, key)
        os.utime(path, ns=(index * 10**9, index * 10**9))
    store.prune()
    kept = sorted(_entries(tmp_path / "cache", FILES))
    assert kept and len(kept) < 10
    assert kept[-1].startswith("19") and not any(name.startswith("00") for name in kept)


def _walks(monkeypatch) -> list[int]:
    """The walks of the whole directory from now on (each still walks)."""
    walks: list[int] = []
    real = Store._walk_and_prune

    def counted(self):
        walks.append(real(self))
        return walks[-1]

    monkeypatch.setattr(Store, "_walk_and_prune", counted)
    return walks


def _put(store: Store, first: int, count: int) -> None:
    for index in range(first, first + count):
        store.put(FILES, f"{index:02d}" + "0" * 62, b"x" * 1000)


def test_the_directory_is_walked_only_when_the_bound_may_be_passed(tmp_path, monkeypatch):
    walks = _walks(monkeypatch)
    store = Store(str(tmp_path / "cache"), max_bytes=10_000)
    store.open()
    _put(store, 0, 3)
    store.prune()  # no stamp yet: walked
    _put(store, 3, 3)
    store.prune()  # 6 entries of ~1,070 bytes: under the bound by the stamp
    assert len(walks) == 1
    _put(store, 6, 4)
    store.prune()  # past it: walked and pruned
    assert len(walks) == 2 and walks[-1] <= 7_500
    assert len(_entries(tmp_path / "cache", FILES)) < 10
    store.prune()  # nothing written since: nothing to do
    assert len(walks) == 2


@pytest.mark.parametrize("stamp", ["", "garbage\n", "100 0\n"], ids=["empty", "garbled", "old"])
def test_a_broken_or_old_size_stamp_is_walked_again(tmp_path, monkeypatch, stamp):
    walks = _walks(monkeypatch)
    store = Store(str(tmp_path / "cache"), max_bytes=10_000)
    store.open()
    (tmp_path / "cache" / SIZE_STAMP).write_text(stamp)
    _put(store, 0, 1)
    store.prune()
    assert len(walks) == 1


# --- Kustomize builds ----------------------------------------------------------


def _kustomize_tree(tmp_path: Path, resources: str = "[../base]") -> Path:
    base, overlay = tmp_path / "app" / "base", tmp_path / "app" / "overlay"
    base.mkdir(parents=True)
    overlay.mkdir()
    (base / "deployment.yaml").write_text(DEPLOYMENT)
    (base / "kustomization.yaml").write_text("resources: [deployment.yaml]\n")
    (overlay / "kustomization.yaml").write_text(f"namePrefix: prod-\nresources: {resources}\n")
    return tmp_path / "app"


def _counted_builds(monkeypatch) -> list:
    """The builds the run starts from now on (each still runs)."""
    calls: list = []
    real_build = stage_module.run_build
    monkeypatch.setattr(stage_module, "run_build", lambda *a: calls.append(a) or real_build(*a))
    return calls


@pytest.mark.skipif(not HAS_KUSTOMIZE, reason="no kustomize or kubectl")
def test_a_build_is_cached_by_what_it_reads(tmp_path, monkeypatch):
    app, cache = _kustomize_tree(tmp_path), tmp_path / "cache"
    cold = _lint([app], cache)
    assert len(_entries(cache, BUILDS)) == 1
    shutil.rmtree(cache / RUNS)
    calls = _counted_builds(monkeypatch)
    assert _everything(_lint([app], cache)) == _everything(cold)
    assert calls == []
    (app / "base" / "notes.txt").write_text("any file under a kustomization's directory")
    _lint([app], cache)
    assert len(calls) == 1
    assert len(_entries(cache, BUILDS)) == 2


@pytest.mark.skipif(not HAS_KUSTOMIZE, reason="no kustomize or kubectl")
def test_a_remote_build_is_reused_for_a_while_and_a_whole_run_stands_only_if_it_gave_the_same(
    tmp_path, monkeypatch
):
    resources = "[../base, 'https://github.com/example/nothing//config?ref=v1']"
    app, cache = _kustomize_tree(tmp_path, resources), tmp_path / "cache"
    cold = _lint([app], cache)
    assert any(f.rule == "kustomize-build" for f in cold.findings)
    assert _entries(cache, BUILDS) == set()
    assert len(_entries(cache, REMOTE)) == len(_entries(cache, RUNS)) == 1
    calls = _counted_builds(monkeypatch)
    shutil.rmtree(cache / WITNESSES)
    assert _everything(_lint([app], cache)) == _everything(cold)
    assert calls == []  # fetched moments ago
    monkeypatch.setattr(stage_module, "REMOTE_TTL", 0)
    shutil.rmtree(cache / WITNESSES)
    assert _everything(_lint([app], cache)) == _everything(cold)
    assert len(calls) == 1  # fetched again: the remote may have changed

    def fetched_otherwise(command, directory, display, timeout):
        return BuildOutput(None, "the remote says something else now", directory)

    monkeypatch.setattr(stage_module, "run_build", fetched_otherwise)
    changed = _lint([app], cache)
    assert any("something else now" in f.message for f in changed.findings)


@pytest.mark.skipif(not HAS_KUSTOMIZE, reason="no kustomize or kubectl")
def test_a_local_failure_is_cached_and_reported_the_same(tmp_path, monkeypatch):
    """Kustomize fails the same way on the same local files: a warm run reports
    the failure without running it again, and a fixed tree builds."""
    resources = "[../base]\npatches: [{path: no-such-patch.yaml}]"
    app, cache = _kustomize_tree(tmp_path, resources), tmp_path / "cache"
    cold = _lint([app], cache)
    assert any(f.rule == "kustomize-build" for f in cold.findings)
    assert len(_entries(cache, BUILDS)) == 1
    shutil.rmtree(cache / RUNS)
    calls = _counted_builds(monkeypatch)
    assert _everything(_lint([app], cache)) == _everything(cold)
    assert calls == []
    (app / "overlay" / "no-such-patch.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n"
    )
    fixed = _lint([app], cache)
    assert len(calls) == 1
    assert not any(f.rule == "kustomize-build" for f in fixed.findings)


@pytest.mark.skipif(not HAS_KUSTOMIZE, reason="no kustomize or kubectl")
def test_a_timed_out_build_is_not_cached(tmp_path, monkeypatch):
    app, cache = _kustomize_tree(tmp_path), tmp_path / "cache"

    def timed_out(command, directory, display, timeout):
        return BuildOutput(None, "timed out", directory, settled=False)

    monkeypatch.setattr(stage_module, "run_build", timed_out)
    result = _lint([app], cache)
    assert any(f.rule == "kustomize-build" for f in result.findings)
    assert _entries(cache, BUILDS) == set()
    assert _entries(cache, RUNS) == set()


# --- the witness: an unchanged tree known by the stat of what the run read -------


def _full_runs(monkeypatch) -> list:
    """The runs that set up a Kustomize stage from now on (not known by a witness)."""
    calls: list = []
    real_stage = run_module.KustomizeStage
    monkeypatch.setattr(
        run_module, "KustomizeStage", lambda *a, **k: calls.append(a) or real_stage(*a, **k)
    )
    return calls


def test_an_unchanged_tree_is_known_by_its_stat_alone(tmp_path, monkeypatch):
    """No file read, classified or keyed, no Kustomize stage: one witness, one run."""
    app, cache = _kustomize_tree(tmp_path), tmp_path / "cache"
    cold = _lint([app], cache, kustomize_command="none")
    assert len(_entries(cache, WITNESSES)) == 1
    monkeypatch.setattr(loader, "load_file", _must_not_run)
    monkeypatch.setattr(run_module, "KustomizeStage", _must_not_run)
    monkeypatch.setattr(run_module.FileClassifier, "kind_of", _must_not_run)
    monkeypatch.setattr(Cache, "file_digest", _must_not_run)
    assert _everything(_lint([app], cache, kustomize_command="none")) == _everything(cold)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


WITNESSED_CHANGES = {
    "a linted file edited": lambda app: _write(
        app / "overlay" / "kustomization.yaml", "resources: [../base]\n"
    ),
    "a file a build reads, not linted": lambda app: _write(
        app / "base" / "deployment.yaml", web_deployment()
    ),
    "a file that is no manifest beside a build's": lambda app: _write(
        app / "base" / "app.env", "A=1\n"
    ),
    "a file a kustomization names, made": lambda app: _write(
        app / "aside" / "patch.yaml", "a: 1\n"
    ),
    "a kustomization above the tree": lambda app: _write(
        app.parent / "kustomization.yaml", "namespace: x\n"
    ),
    "a repository above the tree": lambda app: (app.parent / ".git").mkdir(),
    "a linted file deleted": lambda app: (app / "overlay" / "kustomization.yaml").unlink(),
}


@pytest.mark.parametrize("change", WITNESSED_CHANGES.values(), ids=WITNESSED_CHANGES.keys())
def test_a_change_in_anything_the_run_looked_at_is_a_miss(tmp_path, monkeypatch, change):
    """Linting the overlay alone: its base and the files near it are read through
    the build's inputs, the parents of the tree through the file kinds' lookups."""
    app = _kustomize_tree(tmp_path / "repo", "[../base]\npatches: [{path: ../aside/patch.yaml}]")
    (app / "aside").mkdir()
    cache = tmp_path / "cache"
    _lint([app / "overlay"], cache, kustomize_command="none")
    assert len(_entries(cache, WITNESSES)) == 1
    change(app)
    full = _full_runs(monkeypatch)
    result = _lint([app / "overlay"], cache, kustomize_command="none")
    assert len(full) == 1
    assert _everything(result) == _everything(_lint([app / "overlay"], kustomize_command="none"))


def test_a_tree_written_just_before_the_run_is_not_vouched_for(tree, tmp_path, monkeypatch):
    """An edit within a tick of the file system's clock keeps the stat: what
    changed seconds before the run gets no witness, and is keyed again."""
    monkeypatch.setattr(witness, "SETTLED_NS", 3 * 10**9)
    cache = tmp_path / "cache"
    _lint([tree], cache, kustomize_command="none")
    assert _entries(cache, WITNESSES) == set()
    assert len(_entries(cache, RUNS)) == 1


@pytest.mark.skipif(not HAS_KUSTOMIZE, reason="no kustomize or kubectl")
def test_a_witnessed_run_still_fetches_its_remote_builds(tmp_path, monkeypatch):
    resources = "[../base, 'https://github.com/example/nothing//config?ref=v1']"
    app, cache = _kustomize_tree(tmp_path, resources), tmp_path / "cache"
    cold = _lint([app], cache)
    assert len(_entries(cache, WITNESSES)) == 1
    full, calls = _full_runs(monkeypatch), _counted_builds(monkeypatch)
    assert _everything(_lint([app], cache)) == _everything(cold)
    assert (len(full), len(calls)) == (0, 0)  # fetched moments ago
    monkeypatch.setattr(stage_module, "REMOTE_TTL", 0)
    assert _everything(_lint([app], cache)) == _everything(cold)
    assert (len(full), len(calls)) == (0, 1)

    def fetched_otherwise(command, directory, display, timeout):
        return BuildOutput(None, "the remote says something else now", directory)

    monkeypatch.setattr(stage_module, "run_build", fetched_otherwise)
    changed = _lint([app], cache)
    assert len(full) == 1
    assert any("something else now" in f.message for f in changed.findings)


# --- the command line and the config -------------------------------------------


def test_the_cache_dir_option_makes_an_ignored_tagged_directory(tree, tmp_path):
    cache = tmp_path / "somewhere"
    result = CliRunner().invoke(cli, ["lint", str(tree), "--cache-dir", str(cache)])
    assert result.exit_code == 1
    assert (cache / ".gitignore").read_text() == GITIGNORE
    assert "*" in GITIGNORE.splitlines()
    assert (
        (cache / "CACHEDIR.TAG")
        .read_text()
        .startswith("Signature: 8a477f597d28d172789f06886806bc55")
    )
    assert _entries(cache, RUNS)


def test_no_cache_writes_nothing(tree, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv(ENV_DIRECTORY, str(cache))
    result = CliRunner().invoke(cli, ["lint", str(tree), "--no-cache"])
    assert result.exit_code == 1
    assert not cache.exists()


def test_the_config_turns_it_off(tree, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv(ENV_DIRECTORY, str(cache))
    (tree / ".k8slint.yaml").write_text("cache: false\n")
    assert CliRunner().invoke(cli, ["lint", str(tree)]).exit_code == 1
    assert not cache.exists()


def test_the_default_is_beside_the_config_and_the_config_may_move_it(tree, tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_DIRECTORY)
    monkeypatch.chdir(tmp_path)
    (tree / ".k8slint.yaml").write_text("strict: true\n")
    assert CliRunner().invoke(cli, ["lint", str(tree)]).exit_code == 1
    assert (tree / DIRECTORY_NAME / ".gitignore").is_file()
    (tree / ".k8slint.yaml").write_text("cache-dir: ../elsewhere\n")
    assert CliRunner().invoke(cli, ["lint", str(tree)]).exit_code == 1
    assert _entries(tmp_path / "elsewhere", RUNS)


def test_without_a_config_the_default_is_the_working_directory(tree, tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_DIRECTORY)
    monkeypatch.chdir(tree)
    assert CliRunner().invoke(cli, ["lint", "."]).exit_code == 1
    assert (tree / DIRECTORY_NAME / "CACHEDIR.TAG").is_file()
    again = CliRunner().invoke(cli, ["lint", "."])  # its own files are not linted
    assert again.exit_code == 1 and DIRECTORY_NAME not in again.stdout


def test_the_suite_keeps_its_cache_out_of_the_repository():
    assert os.environ[ENV_DIRECTORY]
    assert not Path(os.environ[ENV_DIRECTORY]).resolve().is_relative_to(REPO)
    assert not (REPO / DIRECTORY_NAME).exists()


def test_a_context_file_linted_later_is_a_miss(tree, tmp_path):
    """Loaded as --context it was not checked: its entry must not stand for a lint."""
    cache, other = tmp_path / "cache", tmp_path / "other"
    other.mkdir()
    (other / "api.yaml").write_text(DEPLOYMENT.replace("name: web\n", "name: api\n", 1))
    engine = engine_for(kustomize_command="none")
    engine.cache = Cache(str(cache))
    engine.lint(discover([str(other)]).files, discover([str(tree)]).files)
    warm = _lint([tree], cache, kustomize_command="none")
    assert warm.findings
    assert _everything(warm) == _everything(_lint([tree], kustomize_command="none"))


def test_a_missing_named_path_is_watched_at_the_nearest_directory_that_is_there(tmp_path):
    from k8slint.cache.builds import _nearest_directory

    assert _nearest_directory(str(tmp_path / "gone" / "deeper" / "file.env")) == str(tmp_path)
    assert _nearest_directory("gone/deeper/file.env") == ""  # relative: ends, no loop
