"""The label index finds what a scan of every pod template finds.

The cross-object rules look selectors up in `RunIndex` (`LabelIndex`) rather
than comparing every selector with every template. The reference here is the
scan itself: the same rules with the index told to narrow nothing (every
lookup answers "any template"), every pair of controllers compared, and
objects named (and the HPAs that scale a workload) looked up in the
namespace's list, as before the index. Each
test lints a tree both ways and wants the same findings, so an index that
missed a candidate (a selected template, a near miss, an overlapping pair)
fails it.
"""

from __future__ import annotations

import itertools
import random
import sys
from pathlib import Path

import pytest
from support import REPO, lint_paths, shared

from k8slint.checks import selectors
from k8slint.engine.registry import load_rules
from k8slint.kube.index import RunIndex, proximity, spec_of
from k8slint.kube.label_index import LabelIndex
from k8slint.kustomize.build import OFF as RAW
from k8slint.load.loader import load_file
from k8slint.model import Resource

sys.path.insert(0, str(REPO / "benchmarks"))
import synthetic

EVERY_RULE = sorted(load_rules())
CORPUS_TREES = (
    "k8s-examples",
    "gke-samples/databases",
    "gke-samples/quickstarts",
    "microservices-demo",
)
"""Corpus trees with selectors, PDBs, NetworkPolicies, HPAs and overlays (the
gke-samples parts with most of them: the whole tree is a third of the corpus)."""


def _scan_named(
    self: RunIndex, namespace: str, kind: str, name: str, near: Resource | None = None
) -> list[Resource]:
    """`RunIndex.named` as a scan of the namespace's objects of that kind."""
    found = [r for r in self.in_namespace(namespace, kind, near=near) if r.name == name]
    if near is None:
        return found
    found = [r for r in found if not self.alternatives(near, r)]
    return sorted(found, key=lambda r: proximity(near, r))


def _scan_scaling(self: RunIndex, namespace: str, kind: str, name: str | None) -> list[Resource]:
    """`RunIndex.scaling` as a scan of the namespace's HorizontalPodAutoscalers."""
    return [
        hpa
        for hpa in self.in_namespace(namespace, "HorizontalPodAutoscaler")
        if isinstance(ref := spec_of(hpa).get("scaleTargetRef"), dict)
        and (ref.get("kind"), ref.get("name")) == (kind, name)
    ]


@pytest.fixture
def brute_force(monkeypatch):
    """Within the test, the index narrows nothing: every lookup is a scan."""

    def scan(index, *_):
        return None

    def every_pair(controllers):
        return list(itertools.combinations(range(len(controllers)), 2))

    def use():
        monkeypatch.setattr(LabelIndex, "matching", scan)
        monkeypatch.setattr(LabelIndex, "resembling", scan)
        monkeypatch.setattr(selectors, "_pairs_that_may_overlap", every_pair)
        monkeypatch.setattr(RunIndex, "named", _scan_named)
        monkeypatch.setattr(RunIndex, "scaling", _scan_scaling)

    return use


def _both_ways(paths: list[str], brute_force, rules=EVERY_RULE):
    indexed = lint_paths(paths, rules, jobs=1, kustomize_command=RAW)
    brute_force()
    scanned = lint_paths(paths, rules, jobs=1, kustomize_command=RAW)
    assert indexed.internal_errors == scanned.internal_errors == []
    return indexed.findings, scanned.findings


CROSS_OBJECT_RULES = {
    "selector-overlap",
    "service-selector-no-match",
    "pdb-selector-no-match",
    "pdb-blocks-eviction",
    "network-policy-selector-no-match",
    "network-policy-peer-no-match",
    "service-target-port-unknown",
    "hpa-target-missing",
    "config-ref-missing",
}


def test_synthetic_namespace_finds_what_a_scan_finds(tmp_path, brute_force):
    tree = synthetic.write_tree(str(tmp_path), 40)
    indexed, scanned = _both_ways([tree], brute_force)
    assert indexed == scanned
    found = {f.rule for f in indexed}
    assert found >= CROSS_OBJECT_RULES, CROSS_OBJECT_RULES - found
    messages = "\n".join(f.message for f in indexed)
    # near misses found by a similar value, a similar key, a missing label, a name
    assert "(Deployment shop-00000 has app=shop-00000)" in messages
    assert "(Deployment shop-00005 has no ap label)" in messages
    assert "(Deployment shop-00007 has app=shop-00007 and no track label)" in messages
    assert "(Deployment named has app=named-pods)" in messages


def test_synthetic_tree_layout(tmp_path):
    synthetic.write_tree(str(tmp_path), 3)
    apps = sorted(p.name for p in (tmp_path / "apps").iterdir())
    trios = [f"shop-0000{n}.yaml" for n in range(3)]
    assert apps == ["named.yaml", *trios, "variety.yaml"]
    assert (tmp_path / "samples" / "lonely.yaml").is_file()


@pytest.mark.parametrize("tree", CORPUS_TREES)
def test_corpus_tree_finds_what_a_scan_finds(tree, brute_force):
    indexed, scanned = _both_ways([str(shared("corpus", tree))], brute_force)
    assert indexed == scanned


# --- random trees: many near values, keys and names, in two namespaces and directories ---

_KEYS = ("app", "ap", "tier", "pod-template-hash", "role")
_VALUES = ("web", "wbe", "we", "webs", "api", "apis", "db", "web-canary", "", "queue", "qeueu")
_OPERATORS = ("In", "In", "In", "Exists", "NotIn", "DoesNotExist")


def _labels(rng: random.Random, most: int = 3) -> str:
    keys = rng.sample(_KEYS, rng.randint(0, most))
    return "{" + ", ".join(f"{k}: '{rng.choice(_VALUES)}'" for k in keys) + "}"


def _expressions(rng: random.Random) -> str:
    terms = []
    for key in rng.sample(_KEYS, rng.randint(1, 2)):
        operator = rng.choice(_OPERATORS)
        values = ""
        if operator in ("In", "NotIn"):
            chosen = rng.sample(_VALUES, rng.randint(1, 2))
            values = ", values: [" + ", ".join(f"'{v}'" for v in chosen) + "]"
        terms.append(f"{{key: {key}, operator: {operator}{values}}}")
    return "[" + ", ".join(terms) + "]"


def _random_tree(root: Path, seed: int) -> None:
    rng = random.Random(seed)
    names = ("web", "api", "db", "wbe", "cache")
    for directory in ("one", "one/inner", "two"):
        (root / directory).mkdir(parents=True, exist_ok=True)
        for number in range(3):
            documents = []
            for _ in range(rng.randint(1, 4)):
                namespace = rng.choice(("", "namespace: shop, ", "namespace: store, "))
                name = rng.choice(names) + rng.choice(("", "", "-1", "-2", "-3"))
                kind = rng.choice(("Deployment", "StatefulSet", "Service", "PDB", "Policy"))
                meta = f"{{{namespace}name: {name}}}"
                if kind in ("Deployment", "StatefulSet"):
                    labels = _labels(rng)
                    # its own labels, the first of them (selecting others' pods), or terms
                    selector = rng.choice(
                        (
                            f"{{matchLabels: {labels}}}",
                            f"{{matchLabels: {labels.split(',')[0].rstrip('}')}}}}}",
                            f"{{matchExpressions: {_expressions(rng)}}}",
                        )
                    )
                    documents.append(
                        f"apiVersion: apps/v1\nkind: {kind}\nmetadata: {meta}\nspec:\n"
                        f"  selector: {selector}\n"
                        f"  template:\n    metadata: {{labels: {labels}}}\n"
                        "    spec: {containers: [{name: c, image: 'i:1', "
                        "ports: [{name: http, containerPort: 80}]}]}\n"
                    )
                elif kind == "Service":
                    documents.append(
                        f"apiVersion: v1\nkind: Service\nmetadata: {meta}\nspec:\n"
                        f"  selector: {_labels(rng, 2)}\n"
                        "  ports: [{port: 80, targetPort: http}]\n"
                    )
                elif kind == "PDB":
                    documents.append(
                        f"apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {meta}\n"
                        f"spec:\n  minAvailable: 1\n"
                        f"  selector: {{matchExpressions: {_expressions(rng)}}}\n"
                    )
                else:
                    documents.append(
                        f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
                        f"metadata: {meta}\nspec:\n"
                        f"  podSelector: {{matchLabels: {_labels(rng)}}}\n"
                        f"  ingress: [{{from: [{{podSelector: {{matchExpressions: "
                        f"{_expressions(rng)}}}}}]}}]\n"
                    )
            (root / directory / f"f{number}.yaml").write_text("---\n".join(documents))


@pytest.mark.parametrize("seed", range(40))
def test_random_tree_finds_what_a_scan_finds(tmp_path, brute_force, seed):
    _random_tree(tmp_path, seed)
    indexed, scanned = _both_ways([str(tmp_path)], brute_force, sorted(CROSS_OBJECT_RULES))
    assert indexed == scanned


def test_random_trees_exercise_the_near_miss_paths(tmp_path):
    """The random trees are worth comparing: they give near misses and listings."""
    messages = []
    for seed in range(12):
        root = tmp_path / str(seed)
        _random_tree(root, seed)
        result = lint_paths([str(root)], sorted(CROSS_OBJECT_RULES), jobs=1)
        messages.extend(f.message for f in result.findings)
    text = "\n".join(messages)
    assert " has " in text and "it holds " in text and "also selects" in text


def test_overlap_pairs_are_complete_and_each_yielded_once(tmp_path):
    """Every pair where one selector takes the other's pods, each once (pairs are
    yielded as found, from either side's lookup, not gathered in a set)."""
    overlapping = 0
    for seed in range(40):
        root = tmp_path / str(seed)
        _random_tree(root, seed)
        controllers = [
            found
            for path in sorted(root.rglob("*.yaml"))
            for resource in load_file(str(path), str(path)).resources
            if (found := selectors.controller_selector(resource)) is not None
            and found.selector.valid
            and found.selector.requirements
        ]
        pairs = list(selectors._pairs_that_may_overlap(controllers))
        assert len(pairs) == len(set(pairs)), seed
        assert all(one < other for one, other in pairs), seed
        takes = {
            (one, other)
            for one, other in itertools.combinations(range(len(controllers)), 2)
            if controllers[one].selector.matches(controllers[other].template.labels)
            or controllers[other].selector.matches(controllers[one].template.labels)
        }
        assert takes <= set(pairs), seed
        overlapping += len(takes)
    assert overlapping > 40  # the trees have overlaps to find
