"""The run's set of objects, for checks that look across objects.

Linted files and `--context` files are both indexed; only the engine knows
which is which (context objects never get findings). Objects are found by
kind, namespace and name, and every workload's pod template (labels, container
ports) is extracted once here so that the selector and reference rules all
read the same facts.
"""

from __future__ import annotations

import os
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from k8slint.kube.filekinds import is_kustomize_input
from k8slint.kube.kinds import ContainerAt, PodSpecAt, containers, get_path, pod_spec, workload_kind
from k8slint.kube.label_index import LabelIndex
from k8slint.kube.labels import Selector, labels_of
from k8slint.kube.openapi import builtin_kind_names
from k8slint.model import JsonPath, Resource

DEFAULT_NAMESPACE = "default"
"""Objects without `metadata.namespace` share this one, as `kubectl apply` would."""

_JOB_LABELS = (
    "controller-uid job-name batch.kubernetes.io/controller-uid batch.kubernetes.io/job-name "
    "batch.kubernetes.io/job-completion-index"
)
CONTROLLER_LABELS: dict[str, frozenset[str]] = {
    kind: frozenset(names.split())
    for kind, names in {
        "Deployment": "pod-template-hash",
        "StatefulSet": "controller-revision-hash statefulset.kubernetes.io/pod-name "
        "apps.kubernetes.io/pod-index",
        "DaemonSet": "controller-revision-hash pod-template-generation",
        "Job": _JOB_LABELS,
        "CronJob": _JOB_LABELS,
    }.items()
}
"""Labels a controller adds to the pods it creates, beside the template's own
(their values are not in the manifest). A Service selecting
`statefulset.kubernetes.io/pod-name` does select a StatefulSet's pod."""

POD_CREATING_KINDS = frozenset(
    {
        "Pod",
        "Deployment",
        "ReplicaSet",
        "StatefulSet",
        "DaemonSet",
        "ReplicationController",
        "Job",
        "CronJob",
    }
)
"""Workload kinds whose template becomes running pods (a PodTemplate object does not)."""


class PodTemplate(NamedTuple):
    """The pods a workload creates, as far as selectors and ports are concerned."""

    resource: Resource
    labels: dict[str, str]
    labels_path: JsonPath
    pod: PodSpecAt

    @property
    def added_labels(self) -> frozenset[str]:
        return CONTROLLER_LABELS.get(self.resource.kind or "", frozenset())

    @property
    def title(self) -> str:
        """`Deployment web`, as messages name it."""
        return f"{self.resource.kind} {self.resource.name or '<unnamed>'}"

    def serving_containers(self) -> Iterator[ContainerAt]:
        """Containers that run beside each other: regular ones and native sidecars."""
        for container in containers(self.pod):
            if container.group == "containers" or (
                container.group == "initContainers"
                and container.container.get("restartPolicy") == "Always"
            ):
                yield container

    @property
    def complete(self) -> bool:
        """False for a fragment: a Kustomize input (`is_kustomize_input`, the one
        place that decides it) is not what gets applied. Any other template is
        judged as the API would judge it, with or without images."""
        return not is_kustomize_input(self.resource)

    def port_names(self) -> set[str]:
        names: set[str] = set()
        for container in self.serving_containers():
            ports = container.container.get("ports")
            for port in ports if isinstance(ports, list) else ():
                if isinstance(port, dict) and isinstance(port.get("name"), str):
                    names.add(port["name"])
        return names


def pod_template(resource: Resource) -> PodTemplate | None:
    """The pod template of a pod-creating workload, or None."""
    workload = workload_kind(resource)
    if workload is None or workload.kind not in POD_CREATING_KINDS:
        return None
    pod = pod_spec(resource)
    if pod is None:
        return None
    metadata_path: JsonPath = (
        ("metadata",) if workload.template_path is None else (*workload.template_path, "metadata")
    )
    labels = labels_of(get_path(resource.data, metadata_path))
    return PodTemplate(resource, labels, (*metadata_path, "labels"), pod)


class _Templates:
    """One namespace's templates, in order, and their label index (built when
    first asked: most namespaces are never searched by labels)."""

    def __init__(self, templates: list[PodTemplate]) -> None:
        self.templates = templates
        self._labels: LabelIndex | None = None

    def labels(self) -> LabelIndex:
        if self._labels is None:
            self._labels = LabelIndex(
                [(t.labels, t.added_labels, t.resource.name) for t in self.templates]
            )
        return self._labels

    def at(self, positions: list[int] | None) -> list[PodTemplate]:
        """The templates at `positions` (None: all), in order."""
        if positions is None:
            return self.templates
        return [self.templates[position] for position in positions]


Identity = tuple[str, str, str | None]
"""(kind, namespace, name): the one object the API server would hold."""


class RunIndex:
    """All resources of the run, found by kind, namespace and name.

    Lookups that take `near` keep only *related* objects: those that declare
    the same namespace (other than `default`), or else that sit in related
    directories (the same one, or one containing the other). A repository of
    samples or of environment overlays holds many unrelated objects in the
    (default) namespace, and a Service is judged against the pods of its own
    tree, not against another sample's; but objects that name one namespace
    belong together wherever their files are (`deployments/`, `services/`).

    An index of one part of the run (`kube.components`) takes the `whole` run's:
    the lookups that look beyond related objects are answered by it. Those
    whose answers depend on any object (`all_named`, `selects_any`) note them
    in `facts`, so that a verdict kept for the part is reused only while the
    run answers alike (`answers`); the others read only `run_wide` objects.
    """

    def __init__(self, resources: Iterable[Resource], whole: RunIndex | None = None) -> None:
        self.resources: list[Resource] = list(resources)
        self.whole: RunIndex = whole or self
        """The run's index: this one, unless this is one part's."""
        self.facts: dict[tuple[Any, ...], Any] = {}
        """What a part's index asked of the whole run, and the answers."""
        self._granted: frozenset[tuple[str, str]] | None = None
        self._crd_kinds: set[tuple[str, str]] | None = None
        self._by_kind: dict[str, list[Resource]] = defaultdict(list)
        self._by_place: dict[tuple[str, str], list[Resource]] = defaultdict(list)
        self._identities: tuple[dict[str, set[Identity]], dict[str, set[Identity]]] | None = None
        self._templates: dict[str, _Templates] | None = None
        self._any_templates: dict[str, _Templates] | None = None
        self._complete: list[PodTemplate] | None = None
        self._by_name: dict[tuple[str, str], list[Resource]] | None = None
        self._custom_labels: dict[str, list[dict[str, str]]] | None = None
        self._custom_names: dict[str, set[str]] | None = None
        self._custom_strings: dict[str, set[str]] | None = None
        self._scaling: dict[tuple[str, str | None, str | None], list[Resource]] | None = None
        for resource in self.resources:
            if resource.kind:
                self._by_kind[resource.kind].append(resource)
                self._by_place[(namespace_of(resource), resource.kind)].append(resource)

    def of_kind(self, *kinds: str) -> list[Resource]:
        found: list[Resource] = []
        for kind in kinds:
            found.extend(self._by_kind.get(kind, ()))
        return found

    def in_namespace(
        self, namespace: str, *kinds: str, near: Resource | None = None
    ) -> list[Resource]:
        """Objects of these kinds in `namespace` (by kind name; callers check the group)."""
        found: list[Resource] = []
        for kind in kinds:
            found.extend(self._by_place.get((namespace, kind), ()))
        return found if near is None else [r for r in found if related(near, r)]

    def named(
        self, namespace: str, kind: str, name: str, near: Resource | None = None
    ) -> list[Resource]:
        """Objects of that kind and name; with `near`, the related ones that are not
        variants of it (see `alternatives`), closest first."""
        found = [r for r in self.all_named(kind, name) if namespace_of(r) == namespace]
        if near is None:
            return found
        found = [r for r in found if related(near, r) and not self.alternatives(near, r)]
        return sorted(found, key=lambda r: proximity(near, r))

    def all_named(self, kind: str, name: str) -> list[Resource]:
        """Objects of that kind and name in any namespace, found in one lookup
        (reference rules ask once per reference); in the whole run."""
        if self.whole is not self:
            found = self.whole.all_named(kind, name)
            self.facts[("named", kind, name)] = _named_fact(found)
            return found
        if self._by_name is None:
            self._by_name = defaultdict(list)
            for resource in self.resources:
                if resource.kind and resource.name:
                    self._by_name[(resource.kind, resource.name)].append(resource)
        return self._by_name.get((kind, name), [])

    def scaling(self, namespace: str, kind: str, name: str | None) -> list[Resource]:
        """The HorizontalPodAutoscalers of `namespace` (any group: callers check)
        whose scaleTargetRef names this kind and name, found in one lookup (every
        workload asks for its own); in the whole run."""
        if self.whole is not self:
            return self.whole.scaling(namespace, kind, name)
        if self._scaling is None:
            self._scaling = defaultdict(list)
            for hpa in self.of_kind("HorizontalPodAutoscaler"):
                ref = spec_of(hpa).get("scaleTargetRef")
                if not isinstance(ref, dict):
                    continue
                target = ref.get("kind"), ref.get("name")
                if all(value is None or isinstance(value, str) for value in target):
                    self._scaling[(namespace_of(hpa), *target)].append(hpa)
        return self._scaling.get((namespace, kind, name), [])

    def pod_templates(self, namespace: str, near: Resource | None = None) -> list[PodTemplate]:
        """The complete pod templates of pod-creating workloads in `namespace`, by
        directory (in the order first seen), then in the order of the run."""
        place = self._template_places().get(namespace)
        if place is None:
            return []
        if near is None:
            return list(place.templates)
        return [t for t in place.templates if sees(near, t.resource)]

    def selected(
        self, namespace: str, selector: Selector, near: Resource | None = None
    ) -> list[PodTemplate]:
        """The templates of `pod_templates(namespace, near)` that `selector` selects
        (with the labels their controller adds), found through the label index."""
        return list(self._selecting(namespace, selector, near))

    def selects_any(self, namespace: str, selector: Selector) -> bool:
        """Whether `selector` selects a template of `namespace` anywhere in the run:
        `selected` stopped at the first (a selector that matches many copies of
        one application need not list them all to know). A part's index looks
        in the part first: what it selects there, the run holds, whatever else
        changed (no fact to note)."""
        if next(self._selecting(namespace, selector, None), None) is not None:
            return True
        if self.whole is self:
            return False
        found = self.facts[("selects", namespace, selector)] = self.whole.selects_anywhere(
            namespace, selector
        )
        return found

    def selects_anywhere(self, namespace: str, selector: Selector) -> bool:
        """`selects_any`, as a part asks it of the whole run: through a label index
        of every pod template of the namespace, complete or not, judging whether a
        template is complete (a walk of the whole object) only where the selector
        selects it. The run's other lookups never need the run's templates then."""
        if self._any_templates is None:
            found: dict[str, list[PodTemplate]] = defaultdict(list)
            for kind in POD_CREATING_KINDS:
                for resource in self._by_kind.get(kind, ()):
                    template = pod_template(resource)
                    if template is not None:
                        found[namespace_of(resource)].append(template)
            self._any_templates = {place: _Templates(found) for place, found in found.items()}
        place = self._any_templates.get(namespace)
        if place is None:
            return False
        positions = place.labels().matching(selector)
        templates = place.templates
        candidates = templates if positions is None else map(templates.__getitem__, positions)
        return any(
            selector.matches(template.labels, template.added_labels) and template.complete
            for template in candidates
        )

    def _selecting(
        self, namespace: str, selector: Selector, near: Resource | None
    ) -> Iterator[PodTemplate]:
        place = self._template_places().get(namespace)
        if place is None:
            return
        positions = place.labels().matching(selector)
        templates = place.templates
        for template in templates if positions is None else map(templates.__getitem__, positions):
            if selector.matches(template.labels, template.added_labels) and (
                near is None or sees(near, template.resource)
            ):
                yield template

    def resembling(
        self, namespace: str, selector: Selector, name: str | None
    ) -> list[PodTemplate] | None:
        """The templates of `namespace` that might be a near miss of `selector`
        (`LabelIndex.resembling`), in `pod_templates` order; None for "any"."""
        place = self._template_places().get(namespace)
        if place is None:
            return []
        positions = place.labels().resembling(selector, name)
        return None if positions is None else place.at(positions)

    def complete_templates(self) -> list[PodTemplate]:
        """The complete pod templates of the run's pod-creating workloads, in the
        order of the run: found once, for every check that reads all of them."""
        if self._complete is None:
            self._complete = []
            for resource in self.resources:
                template = pod_template(resource)
                if template is not None and template.complete:
                    self._complete.append(template)
        return self._complete

    def template_namespaces(self) -> list[str]:
        """The namespaces that hold complete pod templates."""
        return sorted(self._template_places())

    def _template_places(self) -> dict[str, _Templates]:
        """Templates by namespace, grouped by directory (the order messages and
        ties have always followed)."""
        if self._templates is None:
            by_directory: dict[str, dict[str, list[PodTemplate]]] = defaultdict(
                lambda: defaultdict(list)
            )
            for template in self.complete_templates():
                place = by_directory[namespace_of(template.resource)]
                place[directory_of(template.resource)].append(template)
            self._templates = {
                namespace: _Templates([t for found in place.values() for t in found])
                for namespace, place in by_directory.items()
            }
        return self._templates

    def alternatives(self, first: Resource, second: Resource) -> bool:
        """Whether two objects are versions of each other rather than neighbours.

        The same object twice (same kind, namespace and name), or objects from
        two files, or two directories, that define a common object: such files
        are variants (overlays, copies, "simple" and "production" examples)
        that are never applied together, since the second would replace the
        first's shared object.
        """
        if first.name and identity(first) == identity(second):
            return True
        if first.build is not None and first.build == second.build:
            return False  # one build applies them together: neighbours, never variants
        by_file, by_directory = self._identities or self._identities_by_place()
        if first.file != second.file and by_file[first.file] & by_file[second.file]:
            return True
        first_dir, second_dir = directory_of(first), directory_of(second)
        return first_dir != second_dir and bool(by_directory[first_dir] & by_directory[second_dir])

    def _identities_by_place(
        self,
    ) -> tuple[dict[str, set[Identity]], dict[str, set[Identity]]]:
        """The identities of each file's and each directory's objects (made when
        `alternatives` is first asked: the whole run's index of a run whose checks
        run per part never is)."""
        by_file: dict[str, set[Identity]] = defaultdict(set)
        by_directory: dict[str, set[Identity]] = defaultdict(set)
        for resource in self.resources:
            if resource.kind and resource.name:
                same = identity(resource)
                by_file[resource.file].add(same)
                by_directory[directory_of(resource)].add(same)
        self._identities = (by_file, by_directory)
        return self._identities

    def custom_resource_names(self, namespace: str) -> set[str]:
        """Names of the objects of non-built-in kinds in `namespace`.

        Operators label the pods they create after their custom resource
        (`app.kubernetes.io/instance: k8s` for a Prometheus named k8s), so a
        selector naming one may select pods that no manifest shows.
        """
        if self._custom_names is None:
            builtin = builtin_kind_names()
            self._custom_names = defaultdict(set)
            for (place, kind), found in self._by_place.items():
                if kind not in builtin:
                    self._custom_names[place].update(r.name for r in found if r.name)
        return self._custom_names.get(namespace, set())

    def custom_resource_strings(self, namespace: str) -> set[str]:
        """Every string value that the objects of non-built-in kinds in `namespace`
        hold, at any depth: names a program of the run may create (cert-manager
        writes a Certificate's `secretName`). Gathered once a run per namespace
        asked: every rule about a name that a pod looks up asks (custom resources
        are large, and a run whose checks run on one part asks of few). In the
        whole run."""
        if self.whole is not self:
            return self.whole.custom_resource_strings(namespace)
        if self._custom_strings is None:
            self._custom_strings = {}
        found = self._custom_strings.get(namespace)
        if found is None:
            builtin = builtin_kind_names()
            found = self._custom_strings[namespace] = set()
            for (place, kind), resources in self._by_place.items():
                if place == namespace and kind not in builtin:
                    for resource in resources:
                        found.update(_strings(resource.data))
        return found

    def custom_resource_labels(self, namespace: str) -> list[dict[str, str]]:
        """Label sets that custom resources of `namespace` carry or give their pods
        (`metadata.labels`, `spec.podMetadata.labels`, any `labels` map in spec):
        an operator labels the pods it creates so (kube-prometheus's Prometheus
        `k8s` gets pods labelled app.kubernetes.io/name=prometheus). Each distinct
        set once: copies of one application in a namespace repeat them. In the
        whole run."""
        if self.whole is not self:
            return self.whole.custom_resource_labels(namespace)
        if self._custom_labels is None:
            builtin = builtin_kind_names()
            distinct: dict[str, dict[frozenset[tuple[str, str]], dict[str, str]]]
            distinct = defaultdict(dict)
            for resource in self.resources:
                if resource.kind and resource.kind not in builtin:
                    found = distinct[namespace_of(resource)]
                    for labels in (
                        labels_of(resource.data.get("metadata")),
                        *_nested_labels(resource.data.get("spec")),
                    ):
                        found.setdefault(frozenset(labels.items()), labels)
            self._custom_labels = {place: list(sets.values()) for place, sets in distinct.items()}
        return self._custom_labels.get(namespace, [])

    def crd_kinds(self) -> set[tuple[str, str]]:
        """(group, kind) of every custom resource type the run's CRDs define (in
        the whole run)."""
        if self.whole is not self:
            return self.whole.crd_kinds()
        if self._crd_kinds is None:
            self._crd_kinds = set()
            for crd in self.of_kind("CustomResourceDefinition"):
                spec = crd.data.get("spec")
                if not isinstance(spec, dict):
                    continue
                names = spec.get("names")
                kind = names.get("kind") if isinstance(names, dict) else None
                group = spec.get("group")
                if isinstance(kind, str) and isinstance(group, str):
                    self._crd_kinds.add((group, kind))
        return self._crd_kinds

    def granted_names(self) -> frozenset[tuple[str, str]]:
        """(resource, name) of every `resourceNames` entry of the run's Roles and
        ClusterRoles (`secrets`, `argocd-redis`): objects a program given that
        grant may create. In the whole run."""
        if self.whole is not self:
            return self.whole.granted_names()
        if self._granted is None:
            self._granted = frozenset(
                granted
                for role in self.of_kind("Role", "ClusterRole")
                for granted in _resource_names(role.data.get("rules"))
            )
        return self._granted

    def answers(self, facts: dict[tuple[Any, ...], Any]) -> bool:
        """Whether this (whole run's) index answers as `facts` recorded (a part's
        `facts`, taken on another run)."""
        for question, answer in facts.items():
            if question[0] == "named":
                if _named_fact(self.all_named(question[1], question[2])) != answer:
                    return False
            elif self.selects_anywhere(question[1], question[2]) != answer:
                return False
        return True


RUN_WIDE_KINDS = frozenset(
    {
        "HorizontalPodAutoscaler",
        "CustomResourceDefinition",
        "Role",
        "ClusterRole",
        "ClusterRoleBinding",
        "Namespace",
    }
)
"""Kinds a part's check may read anywhere in the run: through `scaling`,
`crd_kinds`, `granted_names`, and `whole.of_kind` (the HPAs, ClusterRoleBindings
and Namespaces of the run)."""


def run_wide(resource: Resource, builtin: frozenset[str]) -> bool:
    """Whether a part's check may read this object of any part: one of the
    `RUN_WIDE_KINDS`, or of another kind than the `builtin` ones (the
    `custom_resource_*` lookups)."""
    kind = resource.kind
    return bool(kind) and (kind in RUN_WIDE_KINDS or kind not in builtin)


def _named_fact(found: list[Resource]) -> tuple[tuple[str, str], ...]:
    """What a part's check reads of objects `all_named` found outside the part:
    their namespace and API group (whether one is the target); the rest of an
    object is read only where it relates to the owner, within its part."""
    return tuple(sorted((namespace_of(resource), resource.api_group) for resource in found))


def _resource_names(rules: Any) -> Iterator[tuple[str, str]]:
    for rule in rules if isinstance(rules, list) else ():
        if not isinstance(rule, dict):
            continue
        resources, names = rule.get("resources"), rule.get("resourceNames")
        if isinstance(resources, list) and isinstance(names, list):
            yield from (
                (plural, name)
                for plural in resources
                if isinstance(plural, str)
                for name in names
                if isinstance(name, str)
            )


def _strings(data: object) -> set[str]:
    """Every string value in `data`, at any depth (walked with a stack: custom
    resources are large, and a generator per node cost most of the walk)."""
    found: set[str] = set()
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


def _nested_labels(data: Any) -> Iterator[dict[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "labels" and isinstance(value, dict):
                yield labels_of(data)
            else:
                yield from _nested_labels(value)
    elif isinstance(data, list):
        for item in data:
            yield from _nested_labels(item)


def identity(resource: Resource) -> Identity:
    return (resource.kind or "", namespace_of(resource), resource.name)


def directory_of(resource: Resource) -> str:
    """The absolute directory of the object's file, computed once per object (a
    process-wide cache would outlive a change of directory) and interned: a
    directory's objects share the one string."""
    directory = resource.directory
    if directory is None:
        directory = resource.directory = sys.intern(os.path.dirname(os.path.abspath(resource.file)))
    return directory


def proximity(first: Resource, second: Resource) -> int:
    """0 for the same file, 1 for the same directory, 2 otherwise."""
    if first.file == second.file:
        return 0
    return 1 if directory_of(first) == directory_of(second) else 2


def declared_namespace(resource: Resource) -> str | None:
    """The namespace an object names for itself, unless it is `default` (which
    samples write as often as they leave it out)."""
    namespace = resource.namespace
    return namespace if namespace and namespace != DEFAULT_NAMESPACE else None


def sees(near: Resource, template: Resource) -> bool:
    """Whether a pod template is judged beside `near`: of the same build (for
    objects of Kustomize builds); else any of the namespace when `near` declares
    one, or one in a related directory."""
    if near.build is not None or template.build is not None:
        return near.build == template.build
    return bool(declared_namespace(near)) or _related_directories(
        directory_of(near), directory_of(template)
    )


def related(first: Resource, second: Resource) -> bool:
    """The same declared namespace; else the same directory, or one inside the other.
    Objects of Kustomize builds relate exactly when they are of the same build."""
    if first.build is not None or second.build is not None:
        return first.build == second.build
    namespace = declared_namespace(first)
    if namespace is not None and namespace == declared_namespace(second):
        return True
    return _related_directories(directory_of(first), directory_of(second))


def _related_directories(first: str, second: str) -> bool:
    return _contains(first, second) or _contains(second, first)


def _contains(outer: str, inner: str) -> bool:
    return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)


def namespace_of(resource: Resource) -> str:
    return resource.namespace or DEFAULT_NAMESPACE


def spec_of(resource: Resource) -> dict[str, Any]:
    spec = resource.data.get("spec")
    return spec if isinstance(spec, dict) else {}
