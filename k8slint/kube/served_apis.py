"""Which Kubernetes versions serve an apiVersion/kind, and what replaces it.

The bundled schemas answer for every version they cover; the removals before
the oldest bundled version are the one thing they cannot know, so those few
come from the Kubernetes deprecated API migration guide
(kubernetes.io/docs/reference/using-api/deprecation-guide).
"""

from __future__ import annotations

import functools
import re

from k8slint.kube.openapi import (
    Version,
    bundled_versions,
    field_names,
    kind_files,
    serves,
    type_file_name,
)

_REMOVED_EARLIER: dict[Version, dict[str, str]] = {
    (1, 16): {
        "extensions/v1beta1": "DaemonSet Deployment NetworkPolicy ReplicaSet",
        "apps/v1beta1": "Deployment ReplicaSet StatefulSet",
        "apps/v1beta2": "DaemonSet Deployment ReplicaSet StatefulSet",
    },
    (1, 22): {
        "admissionregistration.k8s.io/v1beta1": (
            "MutatingWebhookConfiguration ValidatingWebhookConfiguration"
        ),
        "apiextensions.k8s.io/v1beta1": "CustomResourceDefinition",
        "apiregistration.k8s.io/v1beta1": "APIService",
        "authentication.k8s.io/v1beta1": "TokenReview",
        "authorization.k8s.io/v1beta1": (
            "LocalSubjectAccessReview SelfSubjectAccessReview SubjectAccessReview"
        ),
        "certificates.k8s.io/v1beta1": "CertificateSigningRequest",
        "coordination.k8s.io/v1beta1": "Lease",
        "extensions/v1beta1": "Ingress",
        "networking.k8s.io/v1beta1": "Ingress IngressClass",
        "rbac.authorization.k8s.io/v1beta1": "ClusterRole ClusterRoleBinding Role RoleBinding",
        "scheduling.k8s.io/v1beta1": "PriorityClass",
        "storage.k8s.io/v1beta1": "CSIDriver CSINode StorageClass VolumeAttachment",
    },
    (1, 25): {
        "batch/v1beta1": "CronJob",
        "discovery.k8s.io/v1beta1": "EndpointSlice",
        "events.k8s.io/v1beta1": "Event",
        "autoscaling/v2beta1": "HorizontalPodAutoscaler",
        "policy/v1beta1": "PodDisruptionBudget PodSecurityPolicy",
        "node.k8s.io/v1beta1": "RuntimeClass",
    },
}
"""Removed in (or, for 1.25, just before) the oldest bundled version."""

_REMOVED_BEFORE_BUNDLED: dict[tuple[str, str], Version] = {
    (api_version, kind): version
    for version, groups in _REMOVED_EARLIER.items()
    for api_version, kinds in groups.items()
    for kind in kinds.split()
}

_API_VERSION = re.compile(r"^v(\d+)(?:(alpha|beta)(\d+))?$")
_STABILITY = {None: 0, "beta": 1, "alpha": 2}


@functools.cache
def serving_versions(api_version: str, kind: str) -> tuple[Version, ...]:
    """The bundled Kubernetes versions that serve this apiVersion/kind."""
    return tuple(v for v in bundled_versions() if serves(v, api_version, kind))


def removed_in(target: Version, api_version: str, kind: str) -> Version | None:
    """The version that stopped serving what an older version (before `target`) served."""
    earlier = [v for v in serving_versions(api_version, kind) if v < target]
    if earlier:
        return next(v for v in bundled_versions() if v > earlier[-1])
    return _REMOVED_BEFORE_BUNDLED.get((api_version, kind))


def introduced_in(target: Version, api_version: str, kind: str) -> Version | None:
    """The first version after `target` that serves it."""
    later = [v for v in serving_versions(api_version, kind) if v > target]
    return later[0] if later else None


def _preference(api_version: str, group: str) -> tuple[int, int, int, int]:
    """Sort key: the same API group first, then GA before beta before alpha, newest first."""
    candidate_group, _, version = api_version.rpartition("/")
    match = _API_VERSION.match(version)
    if not match:
        return (candidate_group != group, 3, 0, 0)
    major, stage, number = match.groups()
    return (candidate_group != group, _STABILITY[stage], -int(major), -int(number or 0))


def replacement(version: Version, api_version: str, kind: str) -> str | None:
    """The apiVersion to use for `kind` in `version` instead of `api_version`."""
    group = api_version.rpartition("/")[0]
    candidates = [api for api in kind_files(version, kind) if api != api_version]
    return min(candidates, key=lambda api: _preference(api, group)) if candidates else None


def is_builtin(api_version: str, kind: str) -> bool:
    """Does, or did, some Kubernetes version serve this apiVersion/kind itself?"""
    return (
        bool(serving_versions(api_version, kind)) or (api_version, kind) in _REMOVED_BEFORE_BUNDLED
    )


@functools.cache
def field_introduced_in(target: Version, definition: str, field: str) -> Version | None:
    """The first version after `target` whose `definition` type has `field`
    (read from the small per-type schema files, not whole versions)."""
    type_file = type_file_name(definition)
    return next(
        (v for v in bundled_versions() if v > target and field in field_names(v, type_file)), None
    )
