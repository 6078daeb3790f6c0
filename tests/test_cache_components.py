"""Cross-object checks judged per component (`Check.per_component`): their
verdicts are kept per part of the run (`kube.components`), and a re-lint after
an edit runs them again on the edited part alone. A kept verdict stands only
while everything it depends on is as it was: its part's objects, the objects
any part may read (`kube.index.run_wide`), and the answers its part had from
the whole run (`RunIndex.facts`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import engine_for, everything, web_deployment

import k8slint.engine.run as run_module
from k8slint.cache import Cache, witness
from k8slint.engine.run import LintResult
from k8slint.kube import components
from k8slint.load.discover import discover

SELECTS_NOTHING = "service-selector-no-match"
OVERLAP = "selector-overlap"
MISSING = "config-ref-missing"


@pytest.fixture(autouse=True)
def _each_component_its_own_part(monkeypatch):
    """One part per component (no two of these trees' components share one), and
    witnesses that vouch for files written just before (as in test_cache.py)."""
    monkeypatch.setattr(components, "PARTS", 1 << 30)
    monkeypatch.setattr(witness, "SETTLED_NS", 0)


def _lint(root: Path, cache_dir: Path | None = None) -> LintResult:
    engine = engine_for(kustomize_command="none")
    engine.cache = Cache(str(cache_dir)) if cache_dir is not None else None
    return engine.lint(discover([str(root)]).files)


def _parts_checked(monkeypatch) -> list[list[str]]:
    """The files of each part the per-component checks ran on (not replayed)."""
    checked: list[list[str]] = []
    real = run_module._Run._check_across

    def counting(self, index, checks):
        if index.whole is not index:
            checked.append(sorted({Path(resource.file).name for resource in index.resources}))
        real(self, index, checks)

    monkeypatch.setattr(run_module._Run, "_check_across", counting)
    return checked


def _service(app: str, name: str = "web") -> str:
    return (
        f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {name}\n"
        f"spec:\n  selector: {{app: {app}}}\n  ports: [{{port: 80}}]\n"
    )


def _deployment(name: str, app: str, extra: str = "") -> str:
    return (
        web_deployment(extra)
        .replace("name: web\n", f"name: {name}\n")
        .replace("{app: web}", f"{{app: {app}}}")
    )


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def _rules(result: LintResult, rule: str) -> list[str]:
    return sorted(Path(f.file).parent.name for f in result.findings if f.rule == rule)


def test_an_edit_runs_the_checks_again_on_its_part_alone(tmp_path, monkeypatch):
    root, cache = tmp_path / "tree", tmp_path / "cache"
    for app in ("shop", "blog"):
        _write(
            root, {f"{app}/web.yaml": _deployment("web", "web"), f"{app}/svc.yaml": _service("web")}
        )
    assert _rules(_lint(root, cache), SELECTS_NOTHING) == []
    checked = _parts_checked(monkeypatch)
    _write(root, {"shop/svc.yaml": _service("wbe")})  # a typo: the Service selects nothing
    again = _lint(root, cache)
    assert checked == [["svc.yaml", "web.yaml"]]  # shop's part only: blog's verdicts replayed
    assert _rules(again, SELECTS_NOTHING) == ["shop"]
    assert everything(again) == everything(_lint(root))


def test_an_object_moved_into_another_component_is_judged_there(tmp_path, monkeypatch):
    root, cache = tmp_path / "tree", tmp_path / "cache"
    _write(
        root,
        {"shop/web.yaml": _deployment("web", "web"), "blog/api.yaml": _deployment("api", "web")},
    )
    assert _rules(_lint(root, cache), OVERLAP) == []  # unrelated directories: variants
    (root / "blog" / "api.yaml").rename(root / "shop" / "api.yaml")
    again = _lint(root, cache)
    assert _rules(again, OVERLAP) == ["shop", "shop"]
    assert everything(again) == everything(_lint(root))


def test_a_part_is_judged_again_when_the_run_no_longer_selects_what_it_selected(tmp_path):
    """Resolved anywhere in the run, a selector is silent (`resolution.unselected`):
    the shop's Service selects the blog's pods, until their label is edited. The
    shop's part did not change; what it asked of the whole run did."""
    root, cache = tmp_path / "tree", tmp_path / "cache"
    _write(
        root,
        {
            "shop/shop.yaml": _service("blog") + "---\n" + _deployment("cart", "cart"),
            "blog/blog.yaml": _deployment("blog", "blog"),
        },
    )
    assert _rules(_lint(root, cache), SELECTS_NOTHING) == []
    _write(root, {"blog/blog.yaml": _deployment("blog", "journal")})
    again = _lint(root, cache)
    assert _rules(again, SELECTS_NOTHING) == ["shop"]  # its file holds Deployment cart
    assert everything(again) == everything(_lint(root))


_CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\ndata: {{a: b}}\n"
_SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {}\n"
_ROLE = (
    "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: maker\n"
    "rules: [{{apiGroups: [''], resources: [secrets], resourceNames: [{}], verbs: [get]}}]\n"
)


@pytest.mark.parametrize(
    "reference, own, elsewhere, before, after",
    [
        ("envFrom: [{configMapRef: {name: shared}}]", _CONFIG, _CONFIG, "shared", "renamed"),
        # A Role anywhere in the run that names a Secret in `resourceNames` says a
        # program may create it (`RunIndex.granted_names`): a Role in another part.
        ("envFrom: [{secretRef: {name: made}}]", _SECRET, _ROLE, "made", "other"),
    ],
    ids=["the run no longer holds a name it found", "an object any part reads changed"],
)
def test_a_part_is_judged_again_when_what_it_asked_of_the_whole_run_changed(
    tmp_path, reference, own, elsewhere, before, after
):
    """shop's Deployment refers to an object that only blog's file makes (or lets
    a program make): an edit there, in another part, re-judges shop's part."""
    root, cache = tmp_path / "tree", tmp_path / "cache"
    shop = _deployment("web", "web", reference) + "---\n" + own.format("own")
    _write(root, {"shop/web.yaml": shop, "blog/other.yaml": elsewhere.format(before)})
    assert _rules(_lint(root, cache), MISSING) == []
    _write(root, {"blog/other.yaml": elsewhere.format(after)})
    again = _lint(root, cache)
    assert _rules(again, MISSING) == ["shop"]  # its file holds an object of that kind
    assert everything(again) == everything(_lint(root))


def test_a_check_that_raises_is_one_internal_error_however_many_parts_it_runs_on(tmp_path):
    """Its parts each fail (nothing of it is kept); the run says so once, and the
    other checks' findings stand."""
    root = tmp_path / "tree"
    for app in ("shop", "blog", "wiki"):
        _write(root, {f"{app}/web.yaml": _deployment("web", app), f"{app}/svc.yaml": _service("x")})

    def boom(index, context):
        raise RuntimeError("boom")
        yield  # a generator, as checks are

    engine = engine_for(kustomize_command="none")
    engine.cache = Cache(str(tmp_path / "cache"))
    per_object, across = engine._checks
    engine._checks = (
        per_object,
        [(r, b._replace(function=boom) if r.id == OVERLAP else b) for r, b in across],
    )
    result = engine.lint(discover([str(root)]).files)
    assert [n.message.split(":")[0] for n in result.internal_errors] == [
        f"internal error in rule {OVERLAP}"
    ]
    assert _rules(result, SELECTS_NOTHING) == ["blog", "shop", "wiki"]
