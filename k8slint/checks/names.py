"""Objects a pod finds by name: its ServiceAccount, ConfigMaps, Secrets and claims.

The kubelet looks each one up by name in the pod's namespace when the pod
starts. A required one that does not exist keeps the pod from starting: the
API refuses pods of a missing ServiceAccount, a missing ConfigMap or Secret
in env is CreateContainerConfigError, a missing volume source or claim leaves
the pod in ContainerCreating. Every rule here uses the shared policy of
`resolution.missing_name`: judged only where the application defines objects
of that kind in that namespace.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from k8slint.checks.api import CheckContext, check
from k8slint.kube.index import RunIndex, namespace_of
from k8slint.kube.kinds import PodSpecAt
from k8slint.kube.pod_refs import NamedRef, claim_refs, config_refs, service_account_ref
from k8slint.kube.resolution import missing_name
from k8slint.model import Problem, Resource

Found = Iterator[tuple[Resource, Problem]]
RefsOf = Callable[[PodSpecAt], Iterable[NamedRef | None]]

ALWAYS_THERE = frozenset({("ServiceAccount", "default"), ("ConfigMap", "kube-root-ca.crt")})
"""Created in every namespace by the control plane."""

_CONSEQUENCE = {
    "ServiceAccount": "the API refuses its pods (admission requires the ServiceAccount to exist)",
    "ConfigMap": "its pods do not start",
    "Secret": "its pods do not start",
    "PersistentVolumeClaim": "its pods stay Pending (the volume never binds)",
    "imagePullSecrets": "the image is pulled without credentials (a private image fails)",
}


_PLURALS = {
    "ConfigMap": "configmaps",
    "Secret": "secrets",
    "ServiceAccount": "serviceaccounts",
    "PersistentVolumeClaim": "persistentvolumeclaims",
}


class _MadeAtRuntime:
    """Names that a program of the run may create: those that custom resources of
    a namespace mention (`RunIndex.custom_resource_strings`), and those that a
    Role or ClusterRole names in `resourceNames` for that kind (Argo CD's redis
    init creates Secret argocd-redis; MetalLB's controller, memberlist)."""

    def __init__(self, index: RunIndex) -> None:
        self._index = index
        self._granted: set[tuple[str, str]] | None = None

    def made(self, namespace: str, kind: str, name: str) -> bool:
        if name in self._index.custom_resource_strings(namespace):
            return True
        if self._granted is None:
            self._granted = set(self._resource_names())
        return (_PLURALS[kind], name) in self._granted

    def _resource_names(self) -> Iterator[tuple[str, str]]:
        for role in self._index.of_kind("Role", "ClusterRole"):
            rules = role.data.get("rules")
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


def _pod_refs(index: RunIndex, refs_of: RefsOf) -> Iterator[tuple[Resource, NamedRef]]:
    for template in index.complete_templates():
        for ref in refs_of(template.pod):
            if ref is not None and not ref.optional:
                yield template.resource, ref


def _missing(
    index: RunIndex, runtime: _MadeAtRuntime, owner: Resource, ref: NamedRef
) -> Problem | None:
    if (ref.kind, ref.name) in ALWAYS_THERE:
        return None
    tree = owner.kustomize_tree
    if tree is not None and (ref.kind, ref.name) in tree.generated:
        return None
    if runtime.made(namespace_of(owner), ref.kind, ref.name):
        return None
    text = missing_name(index, owner, ref.kind, ref.name)
    if text is None:
        return None
    consequence = _CONSEQUENCE.get(ref.use, _CONSEQUENCE[ref.kind])
    return Problem(
        ref.path,
        f"{ref.kind} {ref.name} (named by {ref.use}) does not resolve: {text}; {consequence}; "
        f"fix the name or define the {ref.kind}",
    )


def _check(index: RunIndex, refs_of: RefsOf) -> Found:
    runtime = _MadeAtRuntime(index)
    for owner, ref in _pod_refs(index, refs_of):
        problem = _missing(index, runtime, owner, ref)
        if problem:
            yield owner, problem


@check(scope="run")
def config_ref_missing(index: RunIndex, context: CheckContext) -> Found:
    yield from _check(index, config_refs)


@check(scope="run")
def pvc_missing(index: RunIndex, context: CheckContext) -> Found:
    yield from _check(index, claim_refs)


@check(scope="run")
def service_account_missing(index: RunIndex, context: CheckContext) -> Found:
    yield from _check(index, lambda pod: [service_account_ref(pod)])
