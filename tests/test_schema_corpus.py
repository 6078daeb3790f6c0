"""The schema rules over ../shared/corpus for the oldest and newest bundled versions:
no internal error, and removed APIs that follow Kubernetes history. A sample keeps
the test fast; benchmarks/schema_agreement.py and the report cover the whole corpus."""

from __future__ import annotations

import pytest
from support import lint_paths, shared

from k8slint.load.discover import discover

RULES = ["schema", "api-deprecated", "crd-schema"]
SAMPLE_OBJECTS = 464
"""Objects in every eighth corpus file (testdata directories skipped): a sample
that lints nothing fails."""
HPA_V2BETA2 = "gke-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta2.yaml"


def _sample() -> list[str]:
    files = sorted(item.path for item in discover([str(shared("corpus"))]).files if item.path)
    return files[::8]


@pytest.mark.parametrize("version", [(1, 25), (1, 37)])
def test_corpus_sample_lints_without_internal_error(version):
    result = lint_paths(_sample(), RULES, version)
    assert not result.internal_errors, result.internal_errors[:3]
    assert (result.files, result.objects) == (235, SAMPLE_OBJECTS)


def test_removed_apis_follow_kubernetes_history():
    path = str(shared("corpus", HPA_V2BETA2))
    old = lint_paths([path], ["api-deprecated"], (1, 25)).findings
    new = lint_paths([path], ["api-deprecated"], (1, 37)).findings
    assert old == []
    assert new and all("removed in Kubernetes 1.26" in f.message for f in new)
    assert all("use apiVersion: autoscaling/v2" in f.message for f in new)
