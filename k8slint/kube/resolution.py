"""When a reference that resolves to nothing is a finding: one policy for every
reference rule (by labels or by name).

Kubernetes objects find each other only by labels (a Service's endpoints are
the pods that carry its selector's labels) and by name (an HPA's
scaleTargetRef, a volume's ConfigMap), always within one namespace. The
policy, in order:

1. Resolved anywhere in the run: silent (the run may hold the target in a
   directory we cannot tie to the reference).
2. A related candidate looks like the intended target (a typo, a renamed
   label; `nearness`): reported, naming it. Related: the same file, the same
   directory, a directory and those inside it, or the same declared namespace
   (`RunIndex.related`), never a variant (`RunIndex.alternatives`).
3. The owner's *application* (`Application.holds`: the same file, or the tree
   of one Kustomize build) holds candidates of that kind in that namespace:
   reported whether or not one looks like a typo, listing what the namespace
   holds (at most `LISTED`, then "and N more").
4. The application holds none there, but holds the target itself (the named
   object, or pods with those labels) in another namespace: reported, saying
   where. Only when both objects declare their namespace and no
   kustomization rewrites it: an object without one goes wherever
   `kubectl apply -n` puts it.
5. Otherwise silent: linting one Service alone says nothing, and a target that
   lives in another repository, a chart or an operator is not this run's to
   judge. Pre-commit with `--context` judges against the whole tree.

Why step 3 stops at a file or a Kustomize tree rather than any directory: a
directory of samples (a docs site's examples, a conformance suite's tests)
holds unrelated objects side by side, and a Service there often selects pods
that another, uncollected file defines.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import NamedTuple

from k8slint.kube.index import PodTemplate, RunIndex, directory_of, namespace_of, sees
from k8slint.kube.labels import Requirement, Selector, format_labels
from k8slint.kube.nearness import closest, similar
from k8slint.model import JsonPath, Resource

LISTED = 3
"""How many candidates a message lists before "and N more"."""


class Application(NamedTuple):
    """What a reference of `owner` is judged against.

    `related`/`pod_templates` give the candidates a typo is looked for in;
    `holds` says which of them the owner's application holds for certain.
    A Kustomize build can replace `holds` without changing the rules.
    """

    index: RunIndex
    owner: Resource

    def holds(self, other: Resource) -> bool:
        """The same file, or the tree of the owner's nearest kustomization; for
        objects of Kustomize builds, exactly the objects of the same build."""
        if self.owner.build is not None or other.build is not None:
            return self.owner.build == other.build
        if other.file == self.owner.file:
            return True
        tree = self.owner.kustomize_tree
        if tree is None:
            return False
        root, inner = tree.root, directory_of(other)
        return inner == root or inner.startswith(root.rstrip(os.sep) + os.sep)

    def related(self, namespace: str, *kinds: str) -> list[Resource]:
        """Objects of these kinds in `namespace` that belong near the owner."""
        return [
            found
            for found in self.index.in_namespace(namespace, *kinds, near=self.owner)
            if not self.index.alternatives(self.owner, found)
        ]

    def pod_templates(self, namespace: str) -> list[PodTemplate]:
        return [t for t in self.index.pod_templates(namespace) if self.sees(t)]

    def selected(self, namespace: str, selector: Selector) -> list[PodTemplate]:
        """Of `pod_templates(namespace)`, those `selector` selects (by the label index)."""
        found = self.index.selected(namespace, selector, near=self.owner)
        return [t for t in found if self.sees(t)]

    def sees(self, template: PodTemplate) -> bool:
        """Whether `pod_templates` would list this template of the owner's namespace."""
        return sees(self.owner, template.resource) and not self.index.alternatives(
            self.owner, template.resource
        )

    def elsewhere(self, candidates: Sequence[Resource], namespace: str) -> list[Resource]:
        """Of `candidates`, those the application holds in another declared namespace."""
        if self.owner.namespace is None or _namespace_rewritten(self.owner):
            return []
        return [
            found
            for found in candidates
            if found.namespace is not None
            and found.namespace != namespace
            and self.holds(found)
            and not _namespace_rewritten(found)
            and not self.index.alternatives(self.owner, found)
        ]


def _namespace_rewritten(resource: Resource) -> bool:
    return resource.kustomize_tree is not None and resource.kustomize_tree.rewrites_namespace


def application_of(index: RunIndex, owner: Resource) -> Application:
    """The application `owner` belongs to: the one place that decides it."""
    return Application(index, owner)


def listing(items: Sequence[str]) -> str:
    """`a, b, c and 2 more`."""
    shown = ", ".join(items[:LISTED])
    return shown if len(items) <= LISTED else f"{shown} and {len(items) - LISTED} more"


def missing_name(
    index: RunIndex,
    owner: Resource,
    kind: str,
    name: str,
    counts: Callable[[Resource], bool] = lambda resource: True,
) -> str | None:
    """Why `kind`/`name` in the owner's namespace is a finding, as message text, or None.

    `counts` narrows the objects of that kind name that are meant (core v1
    Services, not Knative's).
    """
    namespace = namespace_of(owner)
    named = [r for r in index.all_named(kind, name) if counts(r)]
    if any(namespace_of(r) == namespace for r in named):
        return None
    app = application_of(index, owner)
    missing = f"namespace {namespace} holds no {kind} {name}"
    there = app.elsewhere(named, namespace)
    if there:
        return other_namespace(owner, missing, there[0])
    candidates = [r for r in app.related(namespace, kind) if counts(r)]
    nearest = closest(name, _names(candidates))
    if nearest is not None:
        return f"{missing} (nearest: {kind} {nearest})"
    held = _names([r for r in candidates if app.holds(r)])
    return f"{missing} (it holds {kind} {listing(held)})" if held else None


def _names(resources: Sequence[Resource]) -> list[str]:
    return sorted({r.name for r in resources if r.name})


def other_namespace(
    owner: Resource, what: str, target: Resource, by_labels: bool = False, fix: str | None = None
) -> str:
    """`...; Deployment invoices in namespace default does: set its namespace, or move
    the Service` (`does` by labels; by name: `ConfigMap rates is in namespace billing`)."""
    where = (
        f"{target.kind} {target.name} in namespace {namespace_of(target)} does"
        if by_labels
        else f"{target.kind} {target.name} is in namespace {namespace_of(target)}"
    )
    return f"{what}; {where}: {fix or f'set its namespace, or move the {owner.kind}'}"


class Unselected(NamedTuple):
    """A selector that selects no pod template: where to point and what to say."""

    path: JsonPath
    text: str


def unselected(
    index: RunIndex,
    owner: Resource,
    selector: Selector,
    namespace: str | None = None,
    elsewhere_fix: str | None = None,
    for_own_pods: bool = True,
) -> Unselected | None:
    """Why `selector` (of `owner`, selecting pods of `namespace`) is a finding, or None.

    Silent when it could not be evaluated (invalid terms), when it selects a
    pod template of the namespace anywhere in the run, or when a term names a
    custom resource of the namespace or matches labels one carries (an
    operator labels its pods after it, and no manifest shows them). The
    finding points at the first term that fails on the nearest template.
    `elsewhere_fix` replaces "set its namespace, or move the <kind>" where the
    pods are in another namespace. With
    `for_own_pods`, a template named like the owner is the likely target (a
    Service web selects Deployment web); a NetworkPolicy's peers are not its own.
    """
    namespace = namespace or namespace_of(owner)
    if not selector.valid or selector.selects_nothing or not selector.requirements:
        return None
    if index.selects_any(namespace, selector):
        return None
    operators = index.custom_resource_names(namespace)
    if any(term.values & operators for term in selector.requirements):
        return None
    if any(selector.matches(labels) for labels in index.custom_resource_labels(namespace)):
        return None  # pods an operator makes from a custom resource
    named_for = owner.name if for_own_pods else None
    app = application_of(index, owner)
    missing = f"no pod template in namespace {namespace} has those labels"
    matching = [
        t.resource
        for other in index.template_namespaces()
        if other != namespace
        for t in index.selected(other, selector, near=owner)
    ]
    there = app.elsewhere(matching, namespace)
    if there:
        return Unselected(
            selector.requirements[0].path,
            other_namespace(owner, missing, there[0], by_labels=True, fix=elsewhere_fix),
        )
    ranked = _ranked(app, namespace, selector, named_for)
    if ranked and _near_miss(selector, ranked[0], named_for):
        nearest = ranked[0]
        keys = [term.key for term in selector.requirements]
        instead = f"{nearest.title} has {format_labels(nearest.labels, keys)}"
        return Unselected(_first_failing(selector, nearest), f"{missing} ({instead})")
    held = [t for t in ranked if app.holds(t.resource)]
    held_ids = {id(t) for t in held}
    held.extend(
        t
        for t in index.pod_templates(namespace)
        if id(t) not in held_ids and app.holds(t.resource) and app.sees(t)
    )
    if not held:
        return None
    instead = "it holds " + listing([f"{t.title} ({format_labels(t.labels)})" for t in held])
    return Unselected(_first_failing(selector, held[0]), f"{missing} ({instead})")


_NOTHING_IN_COMMON = (False, 0, False, 0)
"""`_match_score` of a template that shares no key, value or name with the selector."""


def _ranked(
    app: Application, namespace: str, selector: Selector, named_for: str | None
) -> list[PodTemplate]:
    """The templates of the application that score above `_NOTHING_IN_COMMON`, best
    first (ties in `pod_templates` order), found through the label index. Those
    that score nothing are never a near miss, and rank after these in
    `pod_templates` order: where the index cannot narrow the search, all are
    returned, ranked as one list."""
    candidates = app.index.resembling(namespace, selector, named_for)
    if candidates is None:
        scored = [(_match_score(selector, t, named_for), t) for t in app.pod_templates(namespace)]
    else:
        scored = [
            (score, t)
            for t in candidates
            if app.sees(t) and (score := _match_score(selector, t, named_for)) != _NOTHING_IN_COMMON
        ]
    scored.sort(key=lambda pair: pair[0], reverse=True)
    return [t for _, t in scored]


def _first_failing(selector: Selector, template: PodTemplate) -> JsonPath:
    return selector.failing(template.labels, template.added_labels)[0].path


def _near_term(term: Requirement, labels: dict[str, str], others_hold: bool) -> bool:
    """Whether a failing term looks like a slip against these labels: a similar
    value under the same key, the same value under a similar key, or a label the
    template lacks while the selector's other terms hold."""
    if term.key in labels:
        return term.operator == "In" and any(similar(v, labels[term.key]) for v in term.values)
    if others_hold:
        return True
    return any(similar(term.key, key) and value in term.values for key, value in labels.items())


def _near_miss(selector: Selector, template: PodTemplate, named_for: str | None) -> bool:
    if named_for is not None and template.resource.name == named_for:
        return True
    failing = selector.failing(template.labels, template.added_labels)
    others_hold = len(failing) < len(selector.requirements)
    return all(_near_term(term, template.labels, others_hold) for term in failing)


def _match_score(
    selector: Selector, template: PodTemplate, named_for: str | None
) -> tuple[int, ...]:
    satisfied = len(selector.requirements) - len(
        selector.failing(template.labels, template.added_labels)
    )
    return (
        _near_miss(selector, template, named_for),
        satisfied,
        named_for is not None and template.resource.name == named_for,
        _shared_values(selector, template),
    )


def _shared_values(selector: Selector, template: PodTemplate) -> int:
    """Label values the selector asks for that the template carries under any key
    (`k8s-app: activator` against `app: activator`)."""
    values = set(template.labels.values())
    return sum(bool(term.values & values) for term in selector.requirements)
