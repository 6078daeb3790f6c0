"""The run's objects in parts that the cross-object checks judge apart.

A check that pairs objects only where `kube.index` relates them (`related`,
`sees`, `Application.holds`: the same Kustomize build; else the same declared
namespace, or directories containing one another; the tree of a
kustomization) finds on a *component* of the run, the objects connected by
those relations, what it finds about them on the whole run, given the answers
it asks of the whole run (`RunIndex` with `whole`). So its verdicts can be kept
per part and a part judged again only when it changed (`engine.run`): a label
edited in one sample re-runs the checks on that sample's part alone.

Components are found with a union-find over what relates objects (builds,
declared namespaces, directories (a file's objects share one) and each
directory's nearest ancestor that holds objects or a kustomization; and for
an object that declares its namespace, the namespaces whose templates it
sees beside its own: a NetworkPolicy's peers'), so the relation is closed
over generously: coarser parts are as right, only larger. They are then dealt
into at most `PARTS` parts by a digest of their first directory, so that an
edit elsewhere in the run leaves a part's objects (and its key) as they were,
and a run of thousands of small components keeps a few dozen entries.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Hashable

from k8slint.kube.index import DEFAULT_NAMESPACE, declared_namespace, directory_of, namespace_of
from k8slint.kube.network_policy import peer_namespaces
from k8slint.model import Resource

PARTS = 32
"""How many parts the components are dealt into (fewer when there are fewer)."""


class _Connected:
    """A union-find over directories and what relates their objects."""

    def __init__(self) -> None:
        self._parent: dict[Hashable, Hashable] = {}

    def find(self, node: Hashable) -> Hashable:
        parent = self._parent
        root = parent.setdefault(node, node)
        while root != parent[root]:
            root = parent[root]
        while node != root:  # path compression
            parent[node], node = root, parent[node]
        return root

    def join(self, first: Hashable, second: Hashable) -> None:
        first, second = self.find(first), self.find(second)
        if first != second:
            self._parent[first] = second


def parts(resources: list[Resource]) -> list[list[int]]:
    """The positions of `resources` in at most `PARTS` parts, each a union of
    components, in the order of the run within a part; parts in the order of
    their first object.

    Each object is one with its directory (so with its file), and what relates
    it to others is joined to that directory: the joins are few and repeated
    (a directory's objects mostly share them), so they are made once each."""
    joins: set[tuple[str, Hashable]] = set()
    directories: set[str] = set()
    seeing_default = False
    for resource in resources:
        directory = directory_of(resource)
        directories.add(directory)
        if resource.build is not None:
            joins.add((directory, ("build", resource.build)))
        elif (namespace := declared_namespace(resource)) is not None:
            joins.add((directory, ("namespace", namespace)))
            # It sees every template of the namespaces it looks into (`sees`).
            for seen in peer_namespaces(resource):
                seeing_default |= seen == DEFAULT_NAMESPACE
                joins.add((directory, ("namespace", seen)))
        tree = resource.kustomize_tree
        if tree is not None:  # `Application.holds`: what lies under its root
            root = os.path.abspath(tree.root)
            directories.add(root)
            joins.add((directory, root))
    if seeing_default:  # the objects of `default` declare no namespace: join them there
        for resource in resources:
            if resource.build is None and namespace_of(resource) == DEFAULT_NAMESPACE:
                joins.add((directory_of(resource), ("namespace", DEFAULT_NAMESPACE)))
    connected = _Connected()
    for directory, other in joins:
        connected.join(directory, other)
    for directory in directories:
        ancestor = _nearest_ancestor(directory, directories)
        if ancestor is not None:
            connected.join(directory, ancestor)
    first_directory: dict[Hashable, str] = {}
    members: dict[Hashable, list[int]] = {}
    for position, resource in enumerate(resources):
        directory = directory_of(resource)
        component = connected.find(directory)
        members.setdefault(component, []).append(position)
        first_directory.setdefault(component, directory)
    dealt: dict[int, list[int]] = {}
    for component, positions in members.items():
        part = zlib.crc32(first_directory[component].encode()) % PARTS
        dealt.setdefault(part, []).extend(positions)
    return sorted((sorted(positions) for positions in dealt.values()), key=lambda p: p[0])


def _nearest_ancestor(directory: str, directories: set[str]) -> str | None:
    while True:
        parent = os.path.dirname(directory)
        if parent == directory:
            return None
        if parent in directories:
            return parent
        directory = parent
