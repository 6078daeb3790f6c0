"""Rollouts: what `kubectl rollout` and kubectl set image need from a manifest.

A Deployment controls ReplicaSets (versions), a ReplicaSet controls Pods
(replicas); a StatefulSet or DaemonSet keeps its versions as
ControllerRevisions. Rolling back goes through the old versions the controller
keeps, a new version exists only when the pod template (in practice the image
reference) changes, and a rolling update must be allowed to move at least one
Pod at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from k8slint.checks.api import CheckContext, check
from k8slint.kube.images import parse_image
from k8slint.kube.kinds import get_path, is_workload, workload_kind
from k8slint.kube.pod import pod_of
from k8slint.model import JsonPath, Problem, Resource, format_path

_HISTORY_KIND = {
    "Deployment": "ReplicaSets",
    "StatefulSet": "ControllerRevisions",
    "DaemonSet": "ControllerRevisions",
}


@check(scope="resource", applies_to=is_workload)
def rollout_history_disabled(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    workload = workload_kind(resource)
    if workload is None or workload.kind not in _HISTORY_KIND:
        return
    limit = get_path(resource.data, ("spec", "revisionHistoryLimit"))
    if limit == 0 and not isinstance(limit, bool):
        yield Problem(
            ("spec", "revisionHistoryLimit"),
            f"revisionHistoryLimit: 0 keeps no old {_HISTORY_KIND[workload.kind]}, and "
            f"kubectl rollout undo and history work only through them, so there is "
            f"nothing to roll back to: remove it (default 10) or keep a few, e.g. 3",
        )


@check(scope="resource", applies_to=is_workload)
def image_tag_mutable(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    pod = pod_of(resource)
    if pod is None:
        return
    for container in pod.containers:
        image = container.data.get("image")
        if container.data.get("imagePullPolicy") == "Never":
            continue  # an image loaded onto the node by hand (kind, minikube): never pulled
        ref = parse_image(image) if isinstance(image, str) else None
        if ref is None or not ref.is_mutable:
            continue
        what = "has no tag, so it means :latest" if ref.tag is None else "uses the :latest tag"
        yield Problem(
            (*container.path, "image"),
            f"image {image} of {container.label} {what}, which moves: nodes may run different "
            f"images, kubectl set image to the same reference makes no new version, and a "
            f"rollback pulls whatever latest is now: pin a version tag or a digest (@sha256:...)",
        )


@check(scope="resource", applies_to=is_workload)
def rollout_paused(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    workload = workload_kind(resource)
    if workload is None or workload.kind != "Deployment":
        return
    if get_path(resource.data, ("spec", "paused")) is True:
        yield Problem(
            ("spec", "paused"),
            "paused: true is committed in the manifest, so the Deployment never rolls out a "
            "changed pod template, and every apply pauses it again after a "
            "kubectl rollout resume: remove the field and pause by hand only while you "
            "batch changes",
        )


_ZERO_PERCENT = re.compile(r"^0+%$")


def _is_zero(value: Any) -> bool:
    """maxSurge / maxUnavailable are an integer or a percentage; both spell zero."""
    if isinstance(value, bool):
        return False
    return value == 0 or (isinstance(value, str) and _ZERO_PERCENT.match(value) is not None)


# Where each kind keeps its rolling update, and the API defaults of the two fields.
_ROLLING_UPDATE: dict[str, tuple[JsonPath, dict[str, int | str]]] = {
    "Deployment": (("spec", "strategy"), {"maxSurge": "25%", "maxUnavailable": "25%"}),
    "DaemonSet": (("spec", "updateStrategy"), {"maxSurge": 0, "maxUnavailable": 1}),
}


@check(scope="resource", applies_to=is_workload)
def rolling_update_stuck(resource: Resource, context: CheckContext) -> Iterator[Problem]:
    workload = workload_kind(resource)
    if workload is None or workload.kind not in _ROLLING_UPDATE:
        return
    strategy_path, defaults = _ROLLING_UPDATE[workload.kind]
    strategy = get_path(resource.data, strategy_path)
    if not isinstance(strategy, dict) or strategy.get("type", "RollingUpdate") != "RollingUpdate":
        return
    params = strategy.get("rollingUpdate")
    params = params if isinstance(params, dict) else {}
    values = {key: params.get(key, default) for key, default in defaults.items()}
    if not all(_is_zero(value) for value in values.values()):
        return
    implicit = [key for key in defaults if key not in params]
    note = f" ({implicit[0]} defaults to {defaults[implicit[0]]} here)" if implicit else ""
    rolling = (*strategy_path, "rollingUpdate")
    yield Problem(
        (*rolling, "maxUnavailable"),
        f"maxSurge and maxUnavailable are both 0{note}: a rolling update may then neither "
        f"start a new Pod before stopping an old one nor stop one first, so it can never "
        f"progress (the API rejects it): set maxSurge or maxUnavailable in "
        f"{format_path(rolling)} to at least 1",
    )
