"""The schema rules over ../shared/corpus for the oldest bundled version: no
internal error, and removed APIs that follow Kubernetes history. The newest
version is the default one, which the whole corpus is linted at with every rule
(tests/test_corpus.py). A sample keeps the test fast;
benchmarks/schema_agreement.py and the report cover the whole corpus."""

from __future__ import annotations

from support import corpus_files, lint_paths, shared

from k8slint.kube.openapi import bundled_versions
from k8slint.kustomize.build import OFF as RAW

RULES = ["schema", "api-deprecated", "crd-schema"]
SAMPLE_OBJECTS = 464
"""Objects in every eighth corpus file (testdata directories skipped): a sample
that lints nothing fails."""
HPA_V2BETA2 = "gke-samples/cost-optimization/gke-shift-left-cost/api/testdata/hpa/hpa-v2beta2.yaml"


OLDEST = (1, 25)


def test_oldest_is_the_oldest_bundled_version():
    assert min(bundled_versions()) == OLDEST


def test_corpus_sample_lints_without_internal_error_at_the_oldest_version():
    # Raw: a file list would build the Kustomize trees around its files.
    result = lint_paths(corpus_files()[::8], RULES, OLDEST, kustomize_command=RAW)
    assert not result.internal_errors, result.internal_errors[:3]
    assert (result.files, result.objects) == (235, SAMPLE_OBJECTS)


def test_removed_apis_follow_kubernetes_history():
    path = str(shared("corpus", HPA_V2BETA2))
    old = lint_paths([path], ["api-deprecated"], OLDEST).findings
    new = lint_paths([path], ["api-deprecated"], (1, 37)).findings
    assert old == []
    assert new and all("removed in Kubernetes 1.26" in f.message for f in new)
    assert all("use apiVersion: autoscaling/v2" in f.message for f in new)
