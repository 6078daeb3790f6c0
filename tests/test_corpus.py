"""Real manifests from public projects: never an internal error, and the files that
are broken upstream get `yaml-syntax` at the line an independent parser names."""

from __future__ import annotations

import os
import re

import pytest
import yaml
from support import assert_real_positions, corpus_files, lint_paths, shared

from k8slint.engine import parallel
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


SAMPLE_STEP = 4
"""The sample: every fourth corpus file (a fifth of its bytes: CRDs are most of them)."""


@pytest.fixture(scope="module")
def corpus():
    return shared("corpus")


@pytest.fixture(scope="module")
def corpus_result(raw_corpus):
    """The session's raw lint (conftest.py): tests/test_corpus_builds.py lints built."""
    return raw_corpus


@pytest.fixture(scope="module")
def sample() -> list[str]:
    return corpus_files()[::SAMPLE_STEP]


def test_workers_find_exactly_what_one_process_finds(corpus, corpus_result, sample, full):
    """On the whole corpus with --full; else on the sample, big enough for two workers."""
    if full:
        paths, alone = [str(corpus)], corpus_result
    else:
        paths = sample
        alone = lint_paths(paths, EVERY_RULE, jobs=1, kustomize_command=RAW)
    assert parallel.worker_count(2, alone.files) == 2
    workers = lint_paths(paths, EVERY_RULE, jobs=2, kustomize_command=RAW)
    assert workers.findings == alone.findings
    assert workers.notices == alone.notices
    assert workers.not_validated == alone.not_validated
    assert workers.inventory == alone.inventory
    assert (workers.files, workers.objects) == (alone.files, alone.objects)
    assert workers.internal_errors == alone.internal_errors == []


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


SCHEMA_RULES = ["schema", "crd-schema"]


def test_the_compiled_validity_check_changes_no_schema_finding(corpus_result, sample, monkeypatch):
    """With the fast path off, jsonschema judges every object: same findings. Judged
    both ways (jsonschema on every object is slow): every other file of the sample,
    every file where the corpus lint found a schema finding or one that explains it,
    and the CRDs of the custom resources with a `crd-schema` finding."""
    import k8slint.checks.schema as schema_checks

    related = set(SCHEMA_RULES) | {
        rule.id for rule in load_rules().values() if set(rule.explains) & set(SCHEMA_RULES)
    }
    found = [f for f in corpus_result.findings if f.rule in related]
    custom = {f.object.kind for f in found if f.rule == "crd-schema" and f.object}
    chosen = sorted(set(sample[::2]) | {f.file for f in found} | _crd_files(custom))
    fast = lint_paths(chosen, SCHEMA_RULES, kustomize_command=RAW)
    # Every schema finding of the whole corpus (30 schema, 10 crd-schema) is among these.
    assert len(fast.findings) == 40
    monkeypatch.setattr(schema_checks, "compile_schema", lambda schema: lambda value: False)
    monkeypatch.setattr(schema_checks, "custom_resource_check", lambda *args: lambda value: False)
    slow = lint_paths(chosen, SCHEMA_RULES, jobs=1, kustomize_command=RAW)
    assert slow.findings == fast.findings
    assert slow.not_validated == fast.not_validated


def _crd_files(kinds: set[str]) -> set[str]:
    """The corpus files that define a CustomResourceDefinition for one of `kinds`
    (a `kind: <Kind>` line under `names`, found by text: a cheap superset)."""
    pattern = re.compile(rf"^[ \t]+kind:[ \t]*({'|'.join(map(re.escape, kinds))})[ \t]*$", re.M)
    chosen = set()
    for path in corpus_files():
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
        if "CustomResourceDefinition" in text and pattern.search(text):
            chosen.add(path)
    return chosen
