"""Roles and bindings as pkg/apis/rbac/validation judges them."""

from __future__ import annotations

from typing import Any

from k8slint.checks.api_validation._base import Findings
from k8slint.kube import names

RBAC_GROUP = "rbac.authorization.k8s.io"
SUBJECT_KINDS = ("ServiceAccount", "User", "Group")


def check_role(found: Findings, data: dict[str, Any], namespaced: bool) -> None:
    """ValidatePolicyRule for each rule."""
    for index, rule in found.items(data, "rules"):
        where = ("rules", index)
        verbs = rule.get("verbs")
        if isinstance(verbs, list) and not verbs:
            found.add((*where, "verbs"), "a rule needs at least one verb")
        urls = rule.get("nonResourceURLs")
        if isinstance(urls, list) and urls:
            if namespaced:
                found.add(
                    (*where, "nonResourceURLs"), "a namespaced Role cannot grant nonResourceURLs"
                )
            elif rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
                found.add(
                    (*where, "nonResourceURLs"),
                    "a rule applies to resources or to nonResourceURLs, not both",
                )
            continue
        for key, text in (("resources", "resource"), ("apiGroups", "API group")):
            value = rule.get(key)
            if value in (None, []) and not found.kustomize_input:
                found.add(
                    where if value is None else (*where, key),
                    f"a resource rule needs at least one {text} in {key}",
                )


def check_binding(found: Findings, data: dict[str, Any], namespaced: bool) -> None:
    """ValidateRoleBinding / ValidateClusterRoleBinding and ValidateRoleBindingSubject.

    A ServiceAccount subject of a ClusterRoleBinding without a namespace is not
    judged: Kustomize's namespace transformer fills it in from an overlay."""
    ref = found.mapping(data, "roleRef")
    allowed = ("Role", "ClusterRole") if namespaced else ("ClusterRole",)
    found.enum(ref, "kind", ("roleRef",), allowed, "roleRef kind")
    group = found.string(ref, "apiGroup")
    if group and group != RBAC_GROUP:  # an empty one is defaulted
        found.add(("roleRef", "apiGroup"), f"roleRef apiGroup {group!r} must be {RBAC_GROUP}")
    for index, subject in found.items(data, "subjects"):
        where = ("subjects", index)
        kind = found.enum(subject, "kind", where, SUBJECT_KINDS, "subject kind")
        group = found.string(subject, "apiGroup") or ""  # SetDefaults_Subject fills it in
        if kind == "ServiceAccount":
            if group:
                found.add((*where, "apiGroup"), "a ServiceAccount subject has no apiGroup")
            name = subject.get("name")
            if isinstance(name, str) and name:
                found.syntax(name, (*where, "name"), "ServiceAccount name", names.dns1123_subdomain)
        elif kind is not None and group and group != RBAC_GROUP:
            found.add((*where, "apiGroup"), f"a {kind} subject needs apiGroup {RBAC_GROUP}")
