"""A re-lint after one file changed (k8slint/cache): what did not change comes
from the cache (each file's part, each Kustomize root's built objects with
their findings), and the findings are the cold run's, also where a
cross-object finding appears or disappears with the change."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import engine_for, everything, web_deployment

import k8slint.engine.run as run_module
import k8slint.kustomize.stage as stage_module
from k8slint.cache import FILES, SNAPSHOTS, Cache, witness
from k8slint.cache.snapshot import Snapshot
from k8slint.engine.run import LintResult
from k8slint.load.discover import discover

HAS_KUSTOMIZE = bool(shutil.which("kustomize") or shutil.which("kubectl"))

CROSS = "service-selector-no-match"
"""The cross-object finding the edits make appear or disappear."""
OVERLAP = "selector-overlap"
"""A cross-object finding that depends on the objects' directories."""
MISSING = "config-ref-missing"
"""A cross-object finding that depends on the objects' Kustomize trees."""


def _service(app: str) -> str:
    return (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
        f"spec:\n  selector: {{app: {app}}}\n  ports: [{{port: 80}}]\n"
    )


def _lint(root: Path, cache_dir: Path | None, kustomize_command: str | None) -> LintResult:
    engine = engine_for(kustomize_command=kustomize_command)
    engine.cache = Cache(str(cache_dir)) if cache_dir is not None else None
    return engine.lint(discover([str(root)]).files)


@pytest.fixture(autouse=True)
def _witnesses_vouch_for_files_written_just_before(monkeypatch):
    """As in test_cache.py: every re-lint also goes through the witness, which
    must see the change."""
    monkeypatch.setattr(witness, "SETTLED_NS", 0)


def _tree(root: Path, kustomize: bool) -> Path:
    """A Deployment and a Service that selects it (in a Kustomize base built
    through an overlay, or plain files), and a manifest beside them."""
    app = root / "app" / "base" if kustomize else root / "app"
    app.mkdir(parents=True)
    (app / "deployment.yaml").write_text(web_deployment())
    (app / "service.yaml").write_text(_service("web"))
    if kustomize:
        (app / "kustomization.yaml").write_text("resources: [deployment.yaml, service.yaml]\n")
        overlay = root / "app" / "overlay"
        overlay.mkdir()
        (overlay / "kustomization.yaml").write_text("namePrefix: prod-\nresources: [../base]\n")
    other = web_deployment("securityContext: {privileged: true}").replace("web", "other")
    (root / "other.yaml").write_text(other)
    return app


EDITS = {
    # name: (file, edit, whether the cross-object finding is there after it)
    "a selector that stops matching": (
        "service.yaml",
        lambda text: text.replace("app: web", "app: nope"),
        True,
    ),
    "a template's labels that move away": (
        "deployment.yaml",
        lambda text: text.replace("{app: web}", "{app: api}"),
        True,
    ),
    "lines above the objects (every position moves)": (
        "service.yaml",
        lambda text: "# one\n# two\n" + text.replace("app: web", "app: nope"),
        True,
    ),
    "a comment at the end (nothing the rules read)": (
        "deployment.yaml",
        lambda text: text + "# edited\n",
        False,
    ),
}


@pytest.mark.parametrize(
    "kustomize",
    [
        False,
        pytest.param(
            True, marks=pytest.mark.skipif(not HAS_KUSTOMIZE, reason="no kustomize or kubectl")
        ),
    ],
    ids=["plain", "kustomize"],
)
@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_a_changed_file_reports_what_a_cold_run_does(tmp_path, kustomize, edit):
    name, change, crossed = edit
    command = None if kustomize else "none"
    app, cache = _tree(tmp_path / "tree", kustomize), tmp_path / "cache"
    before = _lint(tmp_path / "tree", cache, command)
    assert not any(f.rule == CROSS for f in before.findings)
    path = app / name
    path.write_text(change(path.read_text()))
    warm = _lint(tmp_path / "tree", cache, command)
    assert everything(warm) == everything(_lint(tmp_path / "tree", None, command))
    assert any(f.rule == CROSS for f in warm.findings) == crossed
    path.write_text(_restored(name))
    back = _lint(tmp_path / "tree", cache, command)
    assert everything(back) == everything(_lint(tmp_path / "tree", None, command))
    assert not any(f.rule == CROSS for f in back.findings)


def _restored(name: str) -> str:
    return web_deployment() if name == "deployment.yaml" else _service("web")


@pytest.mark.skipif(not HAS_KUSTOMIZE, reason="no kustomize or kubectl")
def test_a_root_whose_files_did_not_change_is_not_built_or_checked_again(tmp_path, monkeypatch):
    app, cache = _tree(tmp_path / "tree", kustomize=True), tmp_path / "cache"
    _lint(tmp_path / "tree", cache, None)
    made: list = []
    real_built = stage_module.KustomizeStage._built
    monkeypatch.setattr(
        stage_module.KustomizeStage, "_built", lambda *a: made.append(a) or real_built(*a)
    )
    other = tmp_path / "tree" / "other.yaml"
    other.write_text(other.read_text() + "# edited\n")
    warm = _lint(tmp_path / "tree", cache, None)
    assert made == []
    assert everything(warm) == everything(_lint(tmp_path / "tree", None, None))
    (app / "service.yaml").write_text(_service("nope"))
    _lint(tmp_path / "tree", cache, None)
    assert len(made) == 2  # the base and the overlay read it


def _checked_across(monkeypatch) -> list:
    """Counts the runs of the cross-object checks (a reused verdict runs none)."""
    calls: list = []
    real = run_module._Run._check_across
    monkeypatch.setattr(
        run_module._Run,
        "_check_across",
        lambda self, index, checks: calls.append(1) or real(self, index, checks),
    )
    return calls


def _selecting_nothing(root: Path) -> Path:
    """A plain tree whose Service selects no pods: a cross-object finding."""
    app = _tree(root, kustomize=False)
    (app / "service.yaml").write_text(_service("nope"))
    return app


WHERE_ONLY = {
    # name: (edit of service.yaml, lines the finding moves down; None: not reported)
    "lines above (the finding moves)": (lambda text: "# one\n# two\n# three\n" + text, 3),
    "spaces and a comment inside": (
        lambda text: text.replace("spec:\n", "spec:   # the spec\n\n"),
        1,
    ),
    "a suppression comment on its line": (
        lambda text: text.replace(
            "selector: {app: nope}", "selector: {app: nope}  # k8slint: disable=" + CROSS
        ),
        None,
    ),
    "the rule disabled for the file": (
        lambda text: f"# k8slint: disable-file={CROSS}\n" + text,
        None,
    ),
}


@pytest.mark.parametrize("edit", WHERE_ONLY.values(), ids=WHERE_ONLY.keys())
def test_an_edit_the_cross_object_checks_cannot_see_reuses_their_verdicts(
    tmp_path, monkeypatch, edit
):
    """The recorded verdicts are placed again: at the new lines, and suppressed
    by the new comments, exactly as the cold run reports."""
    change, moved_by = edit
    app, cache = _selecting_nothing(tmp_path / "tree"), tmp_path / "cache"
    before = _lint(tmp_path / "tree", cache, "none")
    [found] = [f for f in before.findings if f.rule == CROSS]
    calls = _checked_across(monkeypatch)
    service = app / "service.yaml"
    service.write_text(change(service.read_text()))
    warm = _lint(tmp_path / "tree", cache, "none")
    assert calls == []
    assert everything(warm) == everything(_lint(tmp_path / "tree", None, "none"))
    lines = [f.line for f in warm.findings if f.rule == CROSS]
    assert lines == ([] if moved_by is None else [found.line + moved_by])


def test_a_file_moved_to_another_directory_is_seen(tmp_path, monkeypatch):
    """Proximity rules pair objects by directory: the same bytes elsewhere are
    another view (two workloads selecting the same pods overlap only when their
    directories are related)."""
    root, cache = tmp_path / "tree", tmp_path / "cache"
    (root / "app").mkdir(parents=True)
    (root / "elsewhere").mkdir()
    (root / "app" / "web.yaml").write_text(web_deployment())
    (root / "app" / "web2.yaml").write_text(web_deployment().replace("name: web\n", "name: web2\n"))
    before = _lint(root, cache, "none")
    assert any(f.rule == OVERLAP for f in before.findings)
    calls = _checked_across(monkeypatch)
    (root / "app" / "web2.yaml").rename(root / "elsewhere" / "web2.yaml")
    warm = _lint(root, cache, "none")
    assert calls  # the checks ran again (on each part the move made)
    assert everything(warm) == everything(_lint(root, None, "none"))
    assert not any(f.rule == OVERLAP for f in warm.findings)


def test_a_file_renamed_in_its_directory_is_reported_under_its_new_name(tmp_path):
    app, cache = _selecting_nothing(tmp_path / "tree"), tmp_path / "cache"
    _lint(tmp_path / "tree", cache, "none")
    (app / "service.yaml").rename(app / "svc.yaml")
    warm = _lint(tmp_path / "tree", cache, "none")
    assert everything(warm) == everything(_lint(tmp_path / "tree", None, "none"))
    assert [Path(f.file).name for f in warm.findings if f.rule == CROSS] == ["svc.yaml"]


def test_the_other_files_parts_come_from_the_last_runs_snapshot(tmp_path, monkeypatch):
    """One entry holds every part of the last run (k8slint/cache/snapshot.py):
    after one edit, no other file's entry is read, and the edited file's old
    part in the snapshot is not taken."""
    app, cache = _tree(tmp_path / "tree", kustomize=False), tmp_path / "cache"
    _lint(tmp_path / "tree", cache, "none")
    read: list[str] = []
    real_load = Cache.load
    monkeypatch.setattr(
        Cache, "load", lambda self, kind, key: read.append(kind) or real_load(self, kind, key)
    )
    service = app / "service.yaml"
    service.write_text(service.read_text().replace("app: web", "app: nope"))
    warm = _lint(tmp_path / "tree", cache, "none")
    assert read.count(SNAPSHOTS) == 1
    assert read.count(FILES) == 1  # the edited file's, a miss
    assert everything(warm) == everything(_lint(tmp_path / "tree", None, "none"))
    assert any(f.rule == CROSS for f in warm.findings)


@pytest.mark.parametrize(
    ("parts", "taken", "stale"),
    [
        (10, 0, True),  # none: written
        (0, 0, False),
        (1, 0, False),  # one part: its own entry serves as well
        (2000, 1999, False),
        (2000, 1900, False),
        (2000, 1800, True),  # over a sixteenth read apart
        (40, 1, True),
    ],
)
def test_a_snapshot_is_written_again_when_too_much_was_read_apart(parts, taken, stale):
    snapshot = Snapshot({f"key{n}": object() for n in range(taken)})
    for n in range(parts):
        part = snapshot.take(f"key{n}") or object()
        snapshot.keep(f"key{n}", part)
    assert snapshot.stale() == stale


def test_a_kustomization_that_stops_generating_a_name_is_seen(tmp_path, monkeypatch):
    """Linted raw, an object's Kustomize tree says which ConfigMaps a generator
    makes (`Resource.kustomize_tree`): an edit of the kustomization alone
    changes what the cross-object checks read of the Deployment."""
    root, cache = tmp_path / "tree", tmp_path / "cache"
    root.mkdir()
    (root / "deployment.yaml").write_text(
        web_deployment("envFrom: [{configMapRef: {name: settings}}]")
    )
    (root / "config.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: defaults\ndata: {a: b}\n"
    )
    kustomization = root / "kustomization.yaml"
    generating = "resources: [deployment.yaml, config.yaml]\nconfigMapGenerator:\n  - name: {}\n"
    kustomization.write_text(generating.format("settings"))
    before = _lint(root, cache, "none")
    assert not any(f.rule == MISSING for f in before.findings)
    calls = _checked_across(monkeypatch)
    kustomization.write_text(generating.format("renamed"))
    warm = _lint(root, cache, "none")
    assert calls  # the checks ran again
    assert everything(warm) == everything(_lint(root, None, "none"))
    assert any(f.rule == MISSING for f in warm.findings)


def test_an_object_no_schema_was_found_for_is_placed_again(tmp_path, monkeypatch):
    """The cross-object `crd-schema` check says which custom resources it could
    not validate: that is replayed too, at the object's new line."""
    app, cache = _selecting_nothing(tmp_path / "tree"), tmp_path / "cache"
    widget = app / "widget.yaml"
    widget.write_text("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n")
    before = _lint(tmp_path / "tree", cache, "none")
    assert [entry.line for entry in before.not_validated] == [1]
    calls = _checked_across(monkeypatch)
    widget.write_text("# moved\n---\n" + widget.read_text())
    warm = _lint(tmp_path / "tree", cache, "none")
    assert calls == []
    assert everything(warm) == everything(_lint(tmp_path / "tree", None, "none"))
    assert [entry.line for entry in warm.not_validated] == [3]


def test_one_cache_linting_again_after_an_edit_stats_the_files_again(tmp_path):
    """`--fix` lints, writes, and lints again with the same cache: what the first
    run stated of the files (`Cache.stats`) is not the second run's answer."""
    root = tmp_path / "tree"
    app = _tree(root, kustomize=False)
    engine = engine_for(kustomize_command="none")
    engine.cache = Cache(str(tmp_path / "cache"))
    first = engine.lint(discover([str(root)]).files)
    assert not any(f.rule == CROSS for f in first.findings)
    (app / "service.yaml").write_text(_service("nope"))
    again = engine.lint(discover([str(root)]).files)
    assert any(f.rule == CROSS for f in again.findings)
    assert everything(again) == everything(_lint(root, None, "none"))


def test_the_snapshot_holds_equal_parts_once_whatever_the_runs_size(tmp_path, monkeypatch):
    """A run of few objects holds its objects as they are (`UNSHARED_OBJECTS`),
    but writes them to the snapshot shared: the next run loads the entry, each
    equal part once. Two copies of one Deployment come back as one template."""
    root, cache = tmp_path / "tree", tmp_path / "cache"
    for copy in ("one", "two"):
        (root / copy).mkdir(parents=True)
        (root / copy / "web.yaml").write_text(web_deployment())
    _lint(root, cache, "none")
    loaded: list = []
    real_load = Cache.load

    def load(self, kind, key):
        found = real_load(self, kind, key)
        if kind == SNAPSHOTS:
            loaded.append(dict(found))  # the run takes its parts out of it
        return found

    monkeypatch.setattr(Cache, "load", load)
    with open(root / "one" / "web.yaml", "a") as edited:  # a miss: the snapshot is read
        edited.write("# edited\n")
    _lint(root, cache, "none")
    [parts] = loaded
    one, two = [resource for part in parts.values() for resource in part.resources]
    assert one.file != two.file
    assert one.data["spec"] is two.data["spec"]
