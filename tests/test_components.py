"""The parts of a run (`kube.components`): objects that the index relates in any
way a check judged per component asks about are always in one part."""

from __future__ import annotations

import dataclasses
import itertools
import random

import pytest
from support import shared

from k8slint.kube import components
from k8slint.kube.filekinds import KustomizeTree
from k8slint.kube.index import RunIndex, namespace_of, related, sees, spec_of
from k8slint.kube.labels import parse_label_selector, parse_map_selector
from k8slint.kube.network_policy import peer_namespaces
from k8slint.kube.resolution import application_of
from k8slint.load.discover import discover
from k8slint.load.loader import load_file, load_text

DIRECTORIES = ["/r/a", "/r/a/b", "/r/c", "/r/c/d", "/r/e", "/s", "/t/u", "/t/v"]
NAMESPACES = [None, None, None, "default", "shop", "blog"]
BUILDS = [None] * 8 + ["/r/c/d", "/t/v"]
TREES = [None] * 8 + ["/r/c", "/t"]
PEERS = ["default", "shop", "blog", "other"]
"""Sparse: most objects relate to a few others, so the parts are many."""


def _objects(seed: int, count: int = 12) -> list:
    chosen = random.Random(seed)
    found = []
    for number in range(count):
        namespace = chosen.choice(NAMESPACES)
        metadata = f"metadata:\n  name: o{number}\n" + (
            f"  namespace: {namespace}\n" if namespace else ""
        )
        if chosen.random() < 0.2:  # a policy whose peer selects pods of another namespace
            text = (
                f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n{metadata}"
                "spec:\n  podSelector: {}\n  ingress:\n    - from:\n        - podSelector: {}\n"
                "          namespaceSelector:\n            matchLabels:\n"
                f"              kubernetes.io/metadata.name: {chosen.choice(PEERS)}\n"
            )
        else:
            text = (
                f"apiVersion: apps/v1\nkind: Deployment\n{metadata}"
                "spec:\n  template:\n    metadata:\n      labels: {app: web}\n"
                "    spec:\n      containers: [{name: web, image: web:1}]\n"
            )
        # now and then two objects in one file
        name = f"{chosen.choice(DIRECTORIES)}/f{number if chosen.random() < 0.8 else 0}.yaml"
        (resource,) = load_text(text, name).resources
        root = chosen.choice(TREES)
        found.append(
            dataclasses.replace(
                resource,
                build=chosen.choice(BUILDS),
                kustomize_tree=None if root is None else KustomizeTree(root, frozenset(), False),
            )
        )
    return found


def test_objects_the_index_relates_are_in_one_part(monkeypatch):
    """`sees` within the namespaces an object looks into (its own, a
    NetworkPolicy's peers'): a check judged per component looks at the
    templates of any other namespace only for those the owner's application
    `holds` (`Application.elsewhere`)."""
    monkeypatch.setattr(components, "PARTS", 1 << 30)
    for seed in range(300):
        resources = _objects(seed)
        index = RunIndex(resources)
        part_of = {
            position: number
            for number, positions in enumerate(components.parts(resources))
            for position in positions
        }
        for (i, first), (j, second) in itertools.permutations(enumerate(resources), 2):
            if (
                related(first, second)
                or (
                    sees(first, second)
                    and namespace_of(second) in {namespace_of(first), *peer_namespaces(first)}
                )
                or application_of(index, first).holds(second)
                or first.file == second.file
            ):
                assert part_of[i] == part_of[j], (seed, first, second)


def test_unrelated_objects_are_in_parts_of_their_own(monkeypatch):
    """Else a part would be the whole run, and an edit would run every check again."""
    monkeypatch.setattr(components, "PARTS", 1 << 30)
    texts = [
        (f"/r/{app}/web.yaml", f"apiVersion: v1\nkind: Service\nmetadata:\n  name: {app}\n")
        for app in ("shop", "blog", "wiki")
    ]
    resources = [r for name, text in texts for r in load_text(text, name).resources]
    assert components.parts(resources) == [[0], [1], [2]]
    monkeypatch.setattr(components, "PARTS", 1)
    assert components.parts(resources) == [[0, 1, 2]]


@pytest.mark.parametrize("tree", ["gke-samples", "kube-prometheus", "k8s-examples", "argo-cd"])
def test_a_part_asking_the_whole_run_what_a_selector_selects_hears_what_the_run_says(tree):
    """`selects_anywhere` (a part's question, completeness judged on matches only)
    answers as `selects_any` does on the whole run, for every selector the run
    writes, in every namespace that holds templates."""
    resources = [
        resource
        for item in discover([str(shared("corpus") / tree)]).files
        for resource in load_file(item.path).resources
    ]
    index = RunIndex(resources)
    selectors = {
        parse_label_selector(found, ())
        for resource in resources
        for found in [spec_of(resource).get("selector"), spec_of(resource).get("podSelector")]
        if isinstance(found, dict)
    } | {
        parse_map_selector(spec_of(resource).get("selector"), ())
        for resource in index.of_kind("Service")
    }
    namespaces = {namespace_of(resource) for resource in resources} | {"elsewhere"}
    asked = [(namespace, selector) for namespace in namespaces for selector in selectors]
    assert len(asked) > 50
    for namespace, selector in asked:
        whole = index.selects_any(namespace, selector)
        assert index.selects_anywhere(namespace, selector) == whole, (namespace, selector)


def test_a_fragment_is_selected_by_neither_question():
    """A Kustomize patch's template (`$patch`) is no pod that runs."""
    patch = (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n"
        "    metadata:\n      labels: {app: web}\n    spec:\n"
        "      containers: [{name: sidecar, $patch: delete}]\n"
    )
    index = RunIndex(load_text(patch, "/r/patch.yaml").resources)
    selector = parse_map_selector({"app": "web"}, ())
    assert index.selects_any("default", selector) is False
    assert index.selects_anywhere("default", selector) is False
