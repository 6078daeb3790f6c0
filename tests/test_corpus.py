"""Real manifests from public projects: never an internal error, and the files that
are broken upstream get `yaml-syntax` at the line an independent parser names."""

from __future__ import annotations

import os

import pytest
import yaml
from support import assert_real_positions, lint_paths, shared

from k8slint.engine.registry import load_rules
from k8slint.kustomize.build import OFF as RAW
from k8slint.load.discover import discover

CORPUS_FILES = 1882
CORPUS_OBJECTS = 3603
EVERY_RULE = sorted(load_rules())
"""Every preset's rules, so that none of them may crash on real manifests."""
"""What ../shared/corpus holds (its STATS.md): a run that finds fewer linted nothing."""
TESTDATA = (
    "cert-manager/test/integration/rfc2136_dns01/testdata",
    "gke-samples/cost-optimization/gke-shift-left-cost/api/testdata",
)
TESTDATA_FILES, TESTDATA_OBJECTS = 6, 37
"""The corpus's `testdata` directories and what they hold: skipped, one notice each."""


@pytest.fixture(scope="module")
def corpus():
    return shared("corpus")


@pytest.fixture(scope="module")
def corpus_result(corpus):
    """Kustomize trees raw here: tests/test_corpus_builds.py lints them built."""
    return lint_paths([str(corpus)], EVERY_RULE, jobs=2, kustomize_command=RAW)


def test_workers_find_exactly_what_one_process_finds(corpus, corpus_result):
    alone = lint_paths([str(corpus)], EVERY_RULE, jobs=1, kustomize_command=RAW)
    assert corpus_result.findings == alone.findings
    assert corpus_result.notices == alone.notices
    assert corpus_result.not_validated == alone.not_validated
    assert corpus_result.inventory == alone.inventory
    assert (corpus_result.files, corpus_result.objects) == (alone.files, alone.objects)


def test_corpus_lints_without_internal_error(corpus_result):
    assert corpus_result.internal_errors == []
    expected = (CORPUS_FILES - TESTDATA_FILES, CORPUS_OBJECTS - TESTDATA_OBJECTS)
    assert (corpus_result.files, corpus_result.objects) == expected


def test_testdata_directories_are_skipped_with_one_notice_each(corpus):
    notices = discover([str(corpus)]).notices
    skipped = [path for path, message in notices if "test data directory" in message]
    assert sorted(path.split("corpus/", 1)[1] for path in skipped) == list(TESTDATA)


def test_every_finding_has_a_real_position(corpus_result):
    assert_real_positions(corpus_result)


def _libyaml_syntax_errors(corpus) -> dict[str, int]:
    """Files PyYAML's C parser rejects for syntax, with the line it names."""
    broken = {}
    for directory, _, names in os.walk(corpus):
        for name in names:
            if not name.endswith((".yaml", ".yml")):
                continue
            path = os.path.join(directory, name)
            with open(path, encoding="utf-8-sig") as handle:
                text = handle.read()
            try:  # parse events only: syntax errors come from the parser
                for _ in yaml.parse(text, Loader=yaml.CSafeLoader):
                    pass
            except yaml.MarkedYAMLError as error:
                if "{{" not in text:
                    broken[path] = error.problem_mark.line + 1
    return broken


def test_broken_upstream_files_get_yaml_syntax_at_their_line(corpus, corpus_result):
    expected = _libyaml_syntax_errors(corpus)
    assert len(expected) == 9  # broken on purpose upstream (see corpus SOURCES.md)
    reported = {f.file: f.line for f in corpus_result.findings if f.rule == "yaml-syntax"}
    assert reported == expected


def test_the_compiled_validity_check_changes_no_schema_finding(corpus, monkeypatch):
    """With the fast path off, jsonschema judges every object: same findings."""
    import k8slint.checks.schema as schema_checks

    rules = ["schema", "crd-schema"]
    # Raw files on both sides: a file list does not build the trees a directory does.
    monkeypatch.setattr("k8slint.engine.run.find_command", lambda configured: None)
    fast = lint_paths([str(corpus)], rules)
    assert len(fast.findings) == 40
    # jsonschema on every object is slow: every file with a finding or a CRD, and
    # every fourth other file, judged both ways.
    files = sorted(item.path for item in discover([str(corpus)]).files if item.path)
    chosen = {finding.file for finding in fast.findings} | set(files[::4])
    chosen |= {path for path in files if "CustomResourceDefinition" in _text(path)}
    monkeypatch.setattr(schema_checks, "compile_schema", lambda schema: lambda value: False)
    slow = lint_paths(sorted(chosen), rules, jobs=1)
    assert slow.findings == fast.findings
    assert slow.not_validated == [n for n in fast.not_validated if n.file in chosen]


def _text(path: str) -> str:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return handle.read()
