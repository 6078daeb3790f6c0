"""The run's set of objects, for checks that look across objects.

Linted files and `--context` files are both indexed; only the engine knows
which is which (context objects never get findings).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from k8slint.model import Resource

DEFAULT_NAMESPACE = "default"
"""Objects without `metadata.namespace` share this one, as `kubectl apply` would."""


class RunIndex:
    def __init__(self, resources: Iterable[Resource]) -> None:
        self.resources: list[Resource] = list(resources)
        self._by_kind: dict[str, list[Resource]] = defaultdict(list)
        for resource in self.resources:
            if resource.kind:
                self._by_kind[resource.kind].append(resource)

    def of_kind(self, *kinds: str) -> list[Resource]:
        found: list[Resource] = []
        for kind in kinds:
            found.extend(self._by_kind.get(kind, ()))
        return found

    def crd_kinds(self) -> set[tuple[str, str]]:
        """(group, kind) of every custom resource type the run's CRDs define."""
        found: set[tuple[str, str]] = set()
        for crd in self.of_kind("CustomResourceDefinition"):
            spec = crd.data.get("spec")
            if not isinstance(spec, dict):
                continue
            names = spec.get("names")
            kind = names.get("kind") if isinstance(names, dict) else None
            group = spec.get("group")
            if isinstance(kind, str) and isinstance(group, str):
                found.add((group, kind))
        return found


def namespace_of(resource: Resource) -> str:
    return resource.namespace or DEFAULT_NAMESPACE
