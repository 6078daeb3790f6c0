"""What a re-lint after an edit takes from the last run's plan (k8slint.cache.plan)
is what it would compute: every kind of change that moves a file's kind, its
Kustomize tree, a root or a build's inputs is seen, and the findings are the
cold run's. An edit of a manifest's content alone takes the plan: the roots are
not searched for again, and only the roots that read the file are keyed again."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from support import engine_for, everything, web_deployment

import k8slint.kustomize.stage as stage_module
from k8slint.cache import WITNESSES, Cache, witness
from k8slint.engine.run import LintResult
from k8slint.load.discover import discover

HAS_KUSTOMIZE = bool(shutil.which("kustomize") or shutil.which("kubectl"))


@pytest.fixture(autouse=True)
def _stats_vouch_for_files_written_just_before(monkeypatch):
    """As in test_cache.py: the witness and the plan vouch for what the test wrote."""
    monkeypatch.setattr(witness, "SETTLED_NS", 0)


def _service(app: str) -> str:
    return (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
        f"spec:\n  selector: {{app: {app}}}\n  ports: [{{port: 80}}]\n"
    )


def _tree(root: Path) -> None:
    """A Kustomize base (with a generated ConfigMap from a file no lint reads),
    an overlay of it, a plain directory, a manifest at the top, and a directory
    `chart/templates` (a Helm chart's once a `Chart.yaml` is beside it)."""
    base = root / "app" / "base"
    base.mkdir(parents=True)
    (base / "deployment.yaml").write_text(web_deployment())
    (base / "service.yaml").write_text(_service("web"))
    (base / "app.properties").write_text("mode=fast\n")
    (base / "kustomization.yaml").write_text(
        "resources: [deployment.yaml, service.yaml]\n"
        "configMapGenerator:\n- name: settings\n  files: [app.properties]\n"
    )
    overlay = root / "app" / "overlay"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text("namePrefix: prod-\nresources: [../base]\n")
    plain = root / "plain"
    plain.mkdir()
    (plain / "service.yaml").write_text(_service("nothing"))
    (plain / "other.yaml").write_text(web_deployment().replace("web", "other"))
    (root / "top.yaml").write_text(web_deployment("securityContext: {privileged: true}"))
    (root / "chart" / "templates").mkdir(parents=True)
    (root / "chart" / "templates" / "service.yaml").write_text(_service("nothing"))


def _append(path: str, text: str) -> Callable[[Path], None]:
    return lambda root: (root / path).write_text((root / path).read_text() + text)


def _replace(path: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(root: Path) -> None:
        text = (root / path).read_text()
        assert old in text
        (root / path).write_text(text.replace(old, new))

    return edit


def _write(path: str, text: str) -> Callable[[Path], None]:
    return lambda root: (root / path).write_text(text)


def _move(source: str, target: str) -> Callable[[Path], None]:
    return lambda root: (root / source).rename(root / target)


def _delete(path: str) -> Callable[[Path], None]:
    return lambda root: (root / path).unlink()


CONTENT = {
    # name: (edit, whether the overlay's build reads the file)
    "a comment in a plain file": (_append("plain/other.yaml", "# edited\n"), False),
    "a label of a plain Deployment": (
        _replace("plain/other.yaml", "app: other", "app: nothing"),
        False,
    ),
    "a comment in a base file a build reads": (
        _append("app/base/service.yaml", "# edited\n"),
        True,
    ),
    "a selector in a base file": (_replace("app/base/service.yaml", "app: web", "app: nope"), True),
    "a file only a build reads": (_write("app/base/app.properties", "mode=slow\n"), True),
}
"""Edits of content alone: the plan stands."""

STRUCTURE = {
    "the base's kustomization": _replace(
        "app/base/kustomization.yaml", "[deployment.yaml, service.yaml]", "[deployment.yaml]"
    ),
    "the overlay's kustomization": _replace(
        "app/overlay/kustomization.yaml", "namePrefix: prod-", "nameSuffix: -x"
    ),
    "a file named as a patch": _append(
        "app/overlay/kustomization.yaml", "patches:\n- path: ../../plain/other.yaml\n"
    ),
    "a new file in a base": _write("app/base/extra.yaml", _service("extra")),
    "a new plain file": _write("plain/new.yaml", _service("other")),
    "a deleted file": _delete("plain/other.yaml"),
    "a file moved into a Kustomize tree": _move("plain/service.yaml", "app/base/moved.yaml"),
    "a kustomization made above plain files": _write(
        "plain/kustomization.yaml", "resources: [service.yaml, other.yaml]\ncommonLabels: {a: b}\n"
    ),
    "a chart made around a directory": _write("chart/Chart.yaml", "name: x\n"),
}
"""Edits of what the plan holds: it does not stand, and the run looks again."""


def _lint(root: Path, cache_dir: Path | None, command: str | None) -> LintResult:
    engine = engine_for(kustomize_command=command)
    engine.cache = Cache(str(cache_dir)) if cache_dir is not None else None
    return engine.lint(discover([str(root)]).files)


def _calls(monkeypatch, name: str) -> list:
    """Counts the calls of a method of the Kustomize stage."""
    calls: list = []
    real = getattr(stage_module.KustomizeStage, name)

    def counted(self, *args):
        calls.append(args)
        return real(self, *args)

    monkeypatch.setattr(stage_module.KustomizeStage, name, counted)
    return calls


COMMANDS = [
    "none",
    pytest.param(None, marks=pytest.mark.skipif(not HAS_KUSTOMIZE, reason="no kustomize")),
]


@pytest.mark.parametrize("command", COMMANDS, ids=["raw", "built"])
@pytest.mark.parametrize(
    "edit",
    [*(edit for edit, _ in CONTENT.values()), *STRUCTURE.values()],
    ids=[*CONTENT, *STRUCTURE],
)
def test_an_edit_reports_what_a_cold_run_does(tmp_path, command, edit):
    root, cache = tmp_path / "tree", tmp_path / "cache"
    _tree(root)
    _lint(root, cache, command)
    edit(root)
    after = _lint(root, cache, command)
    assert everything(after) == everything(_lint(root, None, command))
    _append("top.yaml", "# and again\n")(root)  # through the plan the last run kept
    again = _lint(root, cache, command)
    assert everything(again) == everything(_lint(root, None, command))


@pytest.mark.parametrize("case", CONTENT.values(), ids=CONTENT.keys())
def test_a_content_edit_takes_the_plan(tmp_path, monkeypatch, case):
    edit, read_by_build = case
    root, cache = tmp_path / "tree", tmp_path / "cache"
    _tree(root)
    _lint(root, cache, "none")
    found, keyed = _calls(monkeypatch, "_find_roots"), _calls(monkeypatch, "_root_keys")
    edit(root)
    _lint(root, cache, "none")
    assert found == []
    assert [build.directory for _, build in keyed] == (
        [str(root / "app" / "overlay")] if read_by_build else []
    )


@pytest.mark.parametrize("edit", STRUCTURE.values(), ids=STRUCTURE.keys())
def test_a_structure_edit_does_not_take_the_plan(tmp_path, monkeypatch, edit):
    root, cache = tmp_path / "tree", tmp_path / "cache"
    _tree(root)
    _lint(root, cache, "none")
    found = _calls(monkeypatch, "_find_roots")
    edit(root)
    _lint(root, cache, "none")
    assert len(found) == 1


def test_a_run_through_the_plan_still_witnesses_what_it_did_not_read_again(tmp_path):
    """The roots no edit touched are not walked again, yet the next run's witness
    holds their files: an edit of a file only their build reads is seen."""
    root, cache = tmp_path / "tree", tmp_path / "cache"
    _tree(root)
    _lint(root, cache, "none")
    _append("plain/other.yaml", "# edited\n")(root)
    _lint(root, cache, "none")
    [entry] = (cache / WITNESSES).glob("*/*")
    assert str(root / "app" / "base" / "app.properties") in entry.read_bytes().decode("latin-1")


@pytest.mark.skipif(not HAS_KUSTOMIZE, reason="no kustomize or kubectl")
@pytest.mark.parametrize(
    "lost", [("built", "snapshots"), ("built", "snapshots", "builds")], ids=["objects", "outputs"]
)
def test_a_root_the_plan_deferred_is_built_when_its_entries_are_gone(tmp_path, monkeypatch, lost):
    """The plan takes a root's built objects without reading its output; when
    they are gone from the cache, the output is read (or the root built) then."""
    root, cache = tmp_path / "tree", tmp_path / "cache"
    _tree(root)
    _lint(root, cache, None)
    for kind in lost:
        shutil.rmtree(cache / kind)
    read = _calls(monkeypatch, "_from_cache")
    built: list = []
    real_build = stage_module.run_build
    monkeypatch.setattr(stage_module, "run_build", lambda *a: built.append(a) or real_build(*a))
    _append("plain/other.yaml", "# edited\n")(root)
    after = _lint(root, cache, None)
    assert (len(read), len(built)) == (1, 1 if "builds" in lost else 0)
    monkeypatch.undo()
    assert everything(after) == everything(_lint(root, None, None))
