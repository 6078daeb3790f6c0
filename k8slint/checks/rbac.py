"""RBAC grants that amount to control of the cluster: the `rbac` preset.

RBAC only adds permissions: a rule grants every verb of `verbs` on every
resource of `resources` in every group of `apiGroups`, and `*` matches all of
them, including resources and subresources that do not exist yet. Roles whose
names start with `system:` are Kubernetes' own and are not judged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from k8slint.checks.api import CheckContext, check
from k8slint.kube.index import RunIndex
from k8slint.model import JsonPath, Problem, Resource

RBAC_GROUP = "rbac.authorization.k8s.io"
READ_VERBS = ("get", "list", "watch")


@dataclass(frozen=True, slots=True)
class Grant:
    """One entry of a role's `rules`."""

    path: JsonPath
    api_groups: list[str]
    resources: list[str]
    verbs: list[str]
    resource_names: list[str]

    def group(self, group: str) -> bool:
        return group in self.api_groups or "*" in self.api_groups

    def verb(self, *verbs: str) -> bool:
        return "*" in self.verbs or any(verb in self.verbs for verb in verbs)


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _is_role(resource: Resource) -> bool:
    return resource.kind in ("Role", "ClusterRole") and resource.api_group == RBAC_GROUP


def _is_binding(resource: Resource) -> bool:
    return (
        resource.kind in ("RoleBinding", "ClusterRoleBinding") and resource.api_group == RBAC_GROUP
    )


def _grants(resource: Resource) -> Iterator[Grant]:
    """The rules of a Role or ClusterRole of the RBAC API (not Kubernetes' own)."""
    if not _is_role(resource) or (resource.name or "").startswith("system:"):
        return
    rules = resource.data.get("rules")
    for index, rule in enumerate(rules if isinstance(rules, list) else ()):
        if isinstance(rule, dict):
            yield Grant(
                ("rules", index),
                _strings(rule.get("apiGroups")),
                _strings(rule.get("resources")),
                _strings(rule.get("verbs")),
                _strings(rule.get("resourceNames")),
            )


def _scope(resource: Resource) -> str:
    return "in every namespace it is bound for" if resource.kind == "ClusterRole" else "here"


@check(scope="resource", applies_to=_is_role)
def wildcard(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    for grant in _grants(resource):
        for field in ("verbs", "resources"):
            values = grant.verbs if field == "verbs" else grant.resources
            if "*" in values:
                what = (
                    "every verb, escalate, bind and impersonate included"
                    if field == "verbs"
                    else (
                        "every resource and subresource, Secrets and pods/exec included, and those "
                        "added later"
                    )
                )
                yield Problem(
                    (*grant.path, field, values.index("*")),
                    f"{resource.kind} {resource.name} grants {field} '*': {what}; list the "
                    f"{field} the subject needs",
                )


_EXEC = ("pods/exec", "pods/attach")


@check(scope="resource", applies_to=_is_role)
def pod_exec(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    for grant in _grants(resource):
        if not grant.group(""):
            continue
        for index, name in enumerate(grant.resources):
            if name == "pods" and grant.verb("create"):
                consequence = (
                    "creating Pods lets the subject run any image as any ServiceAccount of the "
                    "namespace, with its Secrets mounted"
                )
            elif name in (*_EXEC, "pods/*") and grant.verb("create", "get"):
                consequence = (
                    "exec and attach run commands inside every Pod it may reach, with their "
                    "ServiceAccount tokens and Secrets (get suffices: kubectl connects over a "
                    "WebSocket with GET)"
                )
            else:
                continue
            yield Problem(
                (*grant.path, "resources", index),
                f"{resource.kind} {resource.name} grants {'/'.join(grant.verbs)} on {name} "
                f"{_scope(resource)}: {consequence}; keep it to the operators who need it",
            )


@check(scope="resource", applies_to=_is_binding)
def cluster_admin_binding(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    if not _is_binding(resource) or (resource.name or "").startswith("system:"):
        return
    role = resource.data.get("roleRef")
    if not isinstance(role, dict) or role.get("kind") != "ClusterRole":
        return
    if role.get("name") != "cluster-admin":
        return
    reach = "the whole cluster" if resource.kind == "ClusterRoleBinding" else "its namespace"
    yield Problem(
        ("roleRef", "name"),
        f"{resource.kind} {resource.name} binds cluster-admin: its subjects may do anything "
        f"in {reach}, including granting themselves more; bind a role with the permissions "
        f"they need",
    )


@check(scope="run", per_component=True)
def secrets_read_cluster_wide(
    index: RunIndex, context: CheckContext
) -> Iterator[tuple[Resource, Problem]]:
    bound = {
        str(role.get("name"))
        for binding in index.whole.of_kind("ClusterRoleBinding")  # any part's
        if binding.api_group == RBAC_GROUP
        for role in [binding.data.get("roleRef")]
        if isinstance(role, dict) and role.get("kind") == "ClusterRole"
    }
    for role in index.of_kind("ClusterRole"):
        if role.name not in bound:
            continue
        for grant in _grants(role):
            if grant.resource_names or not grant.group("") or not grant.verb(*READ_VERBS):
                continue
            if "secrets" in grant.resources:
                verbs = [verb for verb in grant.verbs if verb in (*READ_VERBS, "*")]
                yield (
                    role,
                    Problem(
                        (*grant.path, "resources", grant.resources.index("secrets")),
                        f"ClusterRole {role.name} grants {'/'.join(verbs)} on secrets and a "
                        f"ClusterRoleBinding binds it: its subjects read every Secret of every "
                        f"namespace, ServiceAccount tokens and TLS keys included; use Roles in the "
                        f"namespaces it needs, or resourceNames",
                    ),
                )
