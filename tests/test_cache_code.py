"""The code's fingerprint through the cache (k8slint/cache/code.py): read from
the entry kept under the code files' stat, computed from their bytes again as
soon as one of them is edited, added or removed."""

from __future__ import annotations

import os
import time

import pytest

from k8slint.cache import code, keys
from k8slint.cache.store import Store

SETTLED = 10 * 10**9
"""A `now` this far after the files were written: they changed long enough ago."""


class _Package:
    """Stands for the k8slint module in `keys`: its file and version."""

    __file__ = ""
    __version__ = "1.0"


@pytest.fixture
def fake_code(tmp_path, monkeypatch):
    """A package and rules directory of their own, in place of k8slint's."""
    package, rules = tmp_path / "k8slint", tmp_path / "rules"
    (package / "checks").mkdir(parents=True)
    rules.mkdir()
    (package / "__init__.py").write_text("")
    (package / "checks" / "a.py").write_text("x = 1\n")
    (rules / "a-rule.yaml").write_text("id: a-rule\n")
    monkeypatch.setattr(_Package, "__file__", str(package / "__init__.py"))
    monkeypatch.setattr(keys, "k8slint", _Package)
    monkeypatch.setattr(keys, "rules_dir", lambda: str(rules))
    return package, rules


@pytest.fixture
def package(fake_code, monkeypatch):
    """The fake package, and a count of the times the fingerprint was computed
    from the files' bytes."""
    package, _ = fake_code
    computed: list[str] = []
    from_bytes = keys.code_fingerprint.__wrapped__

    def counted() -> str:
        computed.append(from_bytes())
        return computed[-1]

    monkeypatch.setattr(keys, "code_fingerprint", counted)
    code._stat_key.cache_clear()
    yield package, computed
    code._stat_key.cache_clear()


def _fingerprint(store: Store, now_ns: int | None = None) -> str:
    """The fingerprint as a new process takes it."""
    code._stat_key.cache_clear()
    return code.remembered_fingerprint(store, now_ns or time.time_ns() + SETTLED)


def test_unchanged_code_is_not_read_again(package, tmp_path):
    _, computed = package
    store = Store(str(tmp_path / "cache"))
    first = _fingerprint(store)
    assert _fingerprint(store) == first
    assert computed == [first]


@pytest.mark.parametrize(
    "change",
    [
        lambda package: (package / "checks" / "a.py").write_text("x = 2\n"),
        lambda package: (package / "checks" / "b.py").write_text(""),
        lambda package: (package / "checks" / "a.py").unlink(),
        lambda package: (package.parent / "rules" / "a-rule.yaml").write_text("id: b-rule\n"),
    ],
    ids=["edited", "added", "removed", "rule edited"],
)
def test_a_changed_code_file_is_read_again(package, tmp_path, change):
    folder, computed = package
    store = Store(str(tmp_path / "cache"))
    before = _fingerprint(store)
    change(folder)
    after = _fingerprint(store)
    assert after != before and computed == [before, after]


def test_an_edit_that_keeps_the_size_and_modification_time_is_seen(package, tmp_path):
    """The change time moves even when a tool puts the modification time back."""
    folder, _ = package
    store = Store(str(tmp_path / "cache"))
    source = folder / "checks" / "a.py"
    facts = source.stat()
    before = _fingerprint(store)
    source.write_text("x = 3\n")
    os.utime(source, ns=(facts.st_atime_ns, facts.st_mtime_ns))
    assert _fingerprint(store) != before


def test_code_changed_just_before_the_run_is_not_remembered(package, tmp_path):
    """Two edits within one tick of the clock could keep the stat: not recorded."""
    _, computed = package
    store = Store(str(tmp_path / "cache"))
    _fingerprint(store, time.time_ns())
    _fingerprint(store, time.time_ns())
    assert len(computed) == 2


def test_the_code_fingerprint_covers_sources_rules_and_version(fake_code, monkeypatch):
    package, rules = fake_code
    seen = {keys.code_fingerprint.__wrapped__()}
    (package / "checks" / "a.py").write_text("x = 2\n")
    seen.add(keys.code_fingerprint.__wrapped__())
    (rules / "a-rule.yaml").write_text("id: a-rule\nseverity: error\n")
    seen.add(keys.code_fingerprint.__wrapped__())
    monkeypatch.setattr(_Package, "__version__", "1.1")
    seen.add(keys.code_fingerprint.__wrapped__())
    assert len(seen) == 4
