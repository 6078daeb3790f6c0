"""NetworkPolicy peers: which pods of which namespace a rule admits or allows.

The reference rules judge a peer's podSelector against the pod templates of
the namespace it names, and the run's parts (`kube.components`) join a policy
with that namespace's objects, since a policy that declares its namespace
sees every template of the peer's (`index.sees`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from k8slint.kube.index import namespace_of, spec_of
from k8slint.model import JsonPath, Resource

NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
"""Set on every namespace by the API server (1.21+): the way to select one by name."""


def peers(spec: dict[str, Any]) -> Iterator[tuple[JsonPath, dict[str, Any], str]]:
    """Each peer with a podSelector: its path, the peer, and its direction."""
    for section, key in (("ingress", "from"), ("egress", "to")):
        rules = spec.get(section)
        for r, rule in enumerate(rules if isinstance(rules, list) else ()):
            found = rule.get(key) if isinstance(rule, dict) else None
            for p, peer in enumerate(found if isinstance(found, list) else ()):
                if isinstance(peer, dict) and isinstance(peer.get("podSelector"), dict):
                    yield ("spec", section, r, key, p), peer, section


def peer_namespace(policy: Resource, peer: dict[str, Any]) -> str | None:
    """The one namespace whose pods the peer selects: the policy's own without a
    namespaceSelector, or the one a `kubernetes.io/metadata.name` label names;
    None for any other namespaceSelector (namespaces the run cannot see)."""
    selector = peer.get("namespaceSelector")
    if selector is None:
        return namespace_of(policy)
    if not isinstance(selector, dict) or set(selector) != {"matchLabels"}:
        return None
    labels = selector["matchLabels"]
    if isinstance(labels, dict) and set(labels) == {NAMESPACE_NAME_LABEL}:
        name = labels[NAMESPACE_NAME_LABEL]
        return name if isinstance(name, str) else None
    return None


def peer_namespaces(policy: Resource) -> set[str]:
    """The namespaces whose pods the peers of a NetworkPolicy (of
    networking.k8s.io) select; nothing for another object."""
    if policy.kind != "NetworkPolicy" or policy.api_group != "networking.k8s.io":
        return set()
    found = {peer_namespace(policy, peer) for _, peer, _ in peers(spec_of(policy))}
    return {namespace for namespace in found if namespace is not None}
