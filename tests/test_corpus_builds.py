"""The corpus's Kustomize trees linted as built (a file of its own, so that the
builds run on another test worker than the raw corpus tests)."""

from __future__ import annotations

import pytest
from support import assert_real_positions, lint_paths, shared

from k8slint.engine.registry import load_rules
from k8slint.kustomize.build import find_command

pytestmark = pytest.mark.skipif(
    find_command(None) is None, reason="needs `kustomize` or `kubectl` on PATH to build"
)


def test_corpus_builds_without_internal_error_and_at_real_positions():
    result = lint_paths([str(shared("corpus"))], sorted(load_rules()))
    assert result.internal_errors == []
    assert_real_positions(result)
    built = [finding for finding in result.findings if finding.builds]
    failed = {finding.file for finding in result.findings if finding.rule == "kustomize-build"}
    # 56 root builds: 38 build here, 18 fail for real (remote bases offline, files
    # outside the root or missing from the corpus); findings name their builds.
    assert len(built) > 0 and len(failed) >= 14
