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


def _made_at_runtime(index: RunIndex, namespace: str, kind: str, name: str) -> bool:
    """Whether a program of the run may create the object: its name is one that
    custom resources of the namespace mention (`RunIndex.custom_resource_strings`),
    or one that a Role or ClusterRole names in `resourceNames` for that kind
    (`RunIndex.granted_names`: Argo CD's redis init creates Secret argocd-redis;
    MetalLB's controller, memberlist)."""
    return (
        name in index.custom_resource_strings(namespace)
        or (_PLURALS[kind], name) in index.granted_names()
    )


def _pod_refs(index: RunIndex, refs_of: RefsOf) -> Iterator[tuple[Resource, NamedRef]]:
    for template in index.complete_templates():
        for ref in refs_of(template.pod):
            if ref is not None and not ref.optional:
                yield template.resource, ref


def _missing(index: RunIndex, owner: Resource, ref: NamedRef) -> Problem | None:
    if (ref.kind, ref.name) in ALWAYS_THERE:
        return None
    tree = owner.kustomize_tree
    if tree is not None and (ref.kind, ref.name) in tree.generated:
        return None
    text = missing_name(index, owner, ref.kind, ref.name)
    # Asked second: most names resolve, and the strings of custom resources are
    # gathered by walking each whole.
    if text is None or _made_at_runtime(index, namespace_of(owner), ref.kind, ref.name):
        return None
    consequence = _CONSEQUENCE.get(ref.use, _CONSEQUENCE[ref.kind])
    return Problem(
        ref.path,
        f"{ref.kind} {ref.name} (named by {ref.use}) does not resolve: {text}; {consequence}; "
        f"fix the name or define the {ref.kind}",
    )


def _check(index: RunIndex, refs_of: RefsOf) -> Found:
    for owner, ref in _pod_refs(index, refs_of):
        problem = _missing(index, owner, ref)
        if problem:
            yield owner, problem


@check(scope="run", per_component=True)
def config_ref_missing(index: RunIndex, context: CheckContext) -> Found:
    yield from _check(index, config_refs)


@check(scope="run", per_component=True)
def pvc_missing(index: RunIndex, context: CheckContext) -> Found:
    yield from _check(index, claim_refs)


@check(scope="run", per_component=True)
def service_account_missing(index: RunIndex, context: CheckContext) -> Found:
    yield from _check(index, lambda pod: [service_account_ref(pod)])
