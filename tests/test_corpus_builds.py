"""The corpus's Kustomize trees linted as built (a file of its own, so that the
builds run on another test worker than the raw corpus tests).

`kubectl kustomize` on all 56 roots costs more than the rest of the corpus tests
together (kube-prometheus and argo-cd build megabytes of CRDs), so by default a
sample of trees runs, one or two per project, chosen for what they exercise;
`--full` (CI) builds every root. In one process, as the session's raw corpus
lint (tests/conftest.py): the other test worker keeps the second core busy, and the
engine's workers would only add the cost of sending objects back (3 CPU-seconds
with --full); builds on workers are tests/test_cache.py's warm==cold [built]."""

from __future__ import annotations

import pytest
from support import assert_real_positions, lint_paths, shared

from k8slint.engine.registry import load_rules
from k8slint.kustomize.build import find_command

pytestmark = pytest.mark.skipif(
    find_command(None) is None, reason="needs `kustomize` or `kubectl` on PATH to build"
)

BUILDING = {
    "microservices-demo/kustomize": "components, and overlays of overlays (tests/*)",
    "gke-samples/quickstarts/whereami/k8s-frontend-overlay-example": "patches on a base",
    "gke-samples/workloads/migrate-x86-app-to-multi-arch/k8s/overlays": "replica and image patches",
    "ingress-nginx/static/provider/aws": "an overlay built on another overlay",
    "metallb/config/prometheus-frr": "a base of bases; namespace and name prefixes",
    "flannel/kustomization/kube-flannel": "a plain resource list",
}
"""Sample trees under ../shared/corpus that build, and what each brings."""

TGI = "gke-samples/ai-ml/llm-serving-gemma/tgi"
SANDBOX = "gke-samples/ai-ml/anthropic-agent-sandbox/deploy/overlays"
FAILING = {
    TGI: "a resource outside the root (6 roots)",
    SANDBOX: "a generator's file missing from the corpus (2 roots)",
}
FAILED_ROOTS = {
    *(f"{TGI}/tgi-{model}" for model in ("2b-bitsandbytes", "2b-bitsandbytes-nf4", "2b-parallel")),
    *(f"{TGI}/tgi-{model}" for model in ("7b-bitsandbytes", "7b-bitsandbytes-nf4", "7b-token")),
    f"{SANDBOX}/01_single_session",
    f"{SANDBOX}/02_warmpool_autoscale",
}
REMOTE = "cert-manager/make/config/kyverno"
"""A root with a remote base: fails offline, builds online."""


def test_corpus_builds_without_internal_error_and_at_real_positions(full):
    corpus = shared("corpus")
    sample = [*BUILDING, *FAILING, REMOTE]
    result = lint_paths(
        [str(corpus)] if full else [str(corpus / tree) for tree in sample],
        sorted(load_rules()),
        jobs=1,
    )
    assert result.internal_errors == []
    assert_real_positions(result)
    inside = _relative(corpus)
    built = [finding for finding in result.findings if finding.builds]
    failed = {
        inside(finding.file).rsplit("/", 1)[0]
        for finding in result.findings
        if finding.rule == "kustomize-build"
    } - {REMOTE}
    if full:
        # 56 root builds: 38 build here, 18 fail for real (remote bases offline, files
        # outside the root or missing from the corpus); findings name their builds.
        assert len(built) > 0 and len(failed) >= 14
        return
    assert failed == FAILED_ROOTS
    builds = {inside(build) for finding in built for build in finding.builds}
    for tree in BUILDING:  # every sample tree builds and finds something
        assert any(build.startswith(tree) for build in builds), tree
    # An overlay's findings point into the base files where the fields were written.
    assert any(not inside(finding.file).startswith(inside(finding.builds[0])) for finding in built)


def _relative(corpus):
    prefix = str(corpus) + "/"
    return lambda path: path.removeprefix(prefix)
