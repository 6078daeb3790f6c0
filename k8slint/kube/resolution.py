"""When a reference that resolves to nothing is a finding: one policy for every
reference rule (by labels or by name).

Kubernetes objects find each other only by labels (a Service's endpoints are
the pods that carry its selector's labels) and by name (an HPA's
scaleTargetRef, a volume's ConfigMap), always within one namespace. A
reference is judged against its *application* (`Application`): the objects
related to it (the same file, the same directory, a directory and those
inside it, or the same declared namespace; never a variant of it, see
`RunIndex.alternatives`).

- Resolved anywhere in the run: silent (the run may hold the target in a
  directory we cannot tie to the reference).
- The application holds candidates of that kind in that namespace: the
  reference is reported, whether or not one looks like a typo. The message
  names the nearest candidate when one does, and otherwise lists what the
  namespace holds (at most `LISTED`, then "and N more").
- It holds none there, but the target itself (the named object, or pods
  with those labels) in another namespace: reported, saying where. Only when
  both objects declare their namespace: an object without one goes wherever
  `kubectl apply -n` puts it.
- Otherwise silent: linting one Service alone says nothing, and a target that
  lives in another repository, a chart or an operator is not this run's to judge.
  Pre-commit with `--context` judges against the whole tree.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from k8slint.kube.index import PodTemplate, RunIndex, namespace_of, related
from k8slint.kube.labels import Requirement, Selector, format_labels
from k8slint.kube.nearness import closest, similar
from k8slint.model import JsonPath, Resource

LISTED = 3
"""How many candidates a message lists before "and N more"."""


@dataclass(frozen=True, slots=True)
class Application:
    """The objects a reference of `owner` may resolve to.

    Today the objects related to it in the run (`RunIndex.related` semantics,
    minus variants of its file); a Kustomize build can replace this object
    without changing the rules that use it.
    """

    index: RunIndex
    owner: Resource

    def objects(self, namespace: str, *kinds: str) -> list[Resource]:
        """Objects of these kinds in `namespace` that belong with the owner."""
        return [
            found
            for found in self.index.in_namespace(namespace, *kinds, near=self.owner)
            if not self.index.alternatives(self.owner, found)
        ]

    def elsewhere(self, kind: str, name: str, namespace: str) -> list[Resource]:
        """The object `kind`/`name` in namespaces other than `namespace`, where
        both it and the owner declare their namespace."""
        if self.owner.namespace is None:
            return []
        return [
            found
            for found in self.index.of_kind(kind)
            if found.name == name
            and found.namespace is not None
            and found.namespace != namespace
            and related(self.owner, found)
            and not self.index.alternatives(self.owner, found)
        ]

    def pod_templates(self, namespace: str) -> list[PodTemplate]:
        return [
            template
            for template in self.index.pod_templates(namespace, near=self.owner)
            if not self.index.alternatives(self.owner, template.resource)
        ]

    def pod_templates_elsewhere(self, namespace: str) -> list[PodTemplate]:
        """Templates of other namespaces that belong with the owner (both declared)."""
        if self.owner.namespace is None:
            return []
        return [
            template
            for other in self.index.template_namespaces()
            if other != namespace
            for template in self.pod_templates(other)
            if template.resource.namespace is not None
        ]


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
    Services, not Knative's). None when the name resolves, or when the
    application holds nothing to judge it by.
    """
    namespace = namespace_of(owner)
    if any(r.name == name and counts(r) for r in index.in_namespace(namespace, kind)):
        return None
    app = application_of(index, owner)
    candidates = [r for r in app.objects(namespace, kind) if counts(r)]
    if candidates:
        instead = names_instead(kind, name, candidates)
        return f"namespace {namespace} holds no {kind} {name} ({instead})"
    there = [r for r in app.elsewhere(kind, name, namespace) if counts(r)]
    if there:
        return other_namespace(owner, f"namespace {namespace} holds no {kind} {name}", there[0])
    return None


def names_instead(kind: str, name: str, candidates: Sequence[Resource]) -> str:
    """`nearest: ConfigMap web-config`, or `it holds ConfigMap a, b, c and 2 more`."""
    names = sorted({r.name for r in candidates if r.name})
    nearest = closest(name, names)
    if nearest is not None:
        return f"nearest: {kind} {nearest}"
    return f"it holds {kind} {listing(names)}"


def other_namespace(owner: Resource, what: str, target: Resource) -> str:
    return (
        f"{what}; {target.kind} {target.name} in namespace {namespace_of(target)} does: "
        f"set its namespace, or move the {owner.kind}"
    )


@dataclass(frozen=True, slots=True)
class Unselected:
    """A selector that selects no pod template: where to point and what to say."""

    path: JsonPath
    text: str


def unselected(
    index: RunIndex, owner: Resource, selector: Selector, namespace: str | None = None
) -> Unselected | None:
    """Why `selector` (of `owner`, selecting pods of `namespace`) is a finding, or None.

    Silent when it could not be evaluated (invalid terms), when it selects a
    pod template of the namespace anywhere in the run, or when a term names a
    custom resource of the namespace (an operator labels its pods after it,
    and no manifest shows them). The finding points at the first term that
    fails on the nearest template.
    """
    namespace = namespace or namespace_of(owner)
    if not selector.valid or selector.selects_nothing or not selector.requirements:
        return None
    if any(selector.matches(t.labels, t.added_labels) for t in index.pod_templates(namespace)):
        return None
    operators = index.custom_resource_names(namespace)
    if any(term.values & operators for term in selector.requirements):
        return None
    app = application_of(index, owner)
    missing = f"no pod template in namespace {namespace} has those labels"
    elsewhere = [
        t
        for t in app.pod_templates_elsewhere(namespace)
        if selector.matches(t.labels, t.added_labels)
    ]
    if elsewhere:
        where = selector.requirements[0].path
        return Unselected(where, other_namespace(owner, missing, elsewhere[0].resource))
    nearby = app.pod_templates(namespace)
    if not nearby:
        return None
    ranked = sorted(nearby, key=lambda t: _match_score(selector, t, owner), reverse=True)
    nearest = ranked[0]
    failing = selector.failing(nearest.labels, nearest.added_labels)[0]
    keys = [term.key for term in selector.requirements]
    if _near_miss(selector, nearest, owner):
        instead = f"{nearest.title} has {format_labels(nearest.labels, keys)}"
    else:
        instead = "it holds " + listing([f"{t.title} ({format_labels(t.labels)})" for t in ranked])
    return Unselected(failing.path, f"{missing} ({instead})")


def _near_term(term: Requirement, labels: dict[str, str], others_hold: bool) -> bool:
    """Whether a failing term looks like a slip against these labels: a similar
    value under the same key, the same value under a similar key, or a label the
    template lacks while the selector's other terms hold."""
    if term.key in labels:
        return term.operator == "In" and any(similar(v, labels[term.key]) for v in term.values)
    if others_hold:
        return True
    return any(similar(term.key, key) and value in term.values for key, value in labels.items())


def _near_miss(selector: Selector, template: PodTemplate, owner: Resource) -> bool:
    if template.resource.name == owner.name:
        return True
    failing = selector.failing(template.labels, template.added_labels)
    others_hold = len(failing) < len(selector.requirements)
    return all(_near_term(term, template.labels, others_hold) for term in failing)


def _match_score(selector: Selector, template: PodTemplate, owner: Resource) -> tuple[int, ...]:
    satisfied = len(selector.requirements) - len(
        selector.failing(template.labels, template.added_labels)
    )
    return (
        _near_miss(selector, template, owner),
        satisfied,
        template.resource.name == owner.name,
        _shared_values(selector, template),
    )


def _shared_values(selector: Selector, template: PodTemplate) -> int:
    """Label values the selector asks for that the template carries under any key
    (`k8s-app: activator` against `app: activator`)."""
    values = set(template.labels.values())
    return sum(bool(term.values & values) for term in selector.requirements)
