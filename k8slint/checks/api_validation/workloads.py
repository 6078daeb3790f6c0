"""The controller specs around pod templates: pkg/apis/apps/validation
(ValidateDeploymentSpec, ValidateStatefulSetSpec, ValidateDaemonSetSpec,
ValidateReplicaSetSpec) and pkg/apis/batch/validation (validateJobSpec,
validateCronJobSpec)."""

from __future__ import annotations

import functools
from typing import Any

from k8slint.checks.api_validation._base import Findings
from k8slint.kube.cron import schedule_error

DEPLOYMENT_STRATEGIES = ("Recreate", "RollingUpdate")
SET_STRATEGIES = ("RollingUpdate", "OnDelete")  # StatefulSet and DaemonSet
POD_MANAGEMENT = ("OrderedReady", "Parallel")
RETENTION = ("Retain", "Delete")  # ValidatePersistentVolumeClaimRetentionPolicyType
COMPLETION_MODES = ("NonIndexed", "Indexed")
CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")  # validateConcurrencyPolicy


def check_deployment(found: Findings, spec: dict[str, Any]) -> None:
    path = ("spec",)
    for key in ("replicas", "minReadySeconds", "revisionHistoryLimit"):
        found.at_least(spec, key, path, 0)
    deadline = found.integer(spec, "progressDeadlineSeconds")
    ready = found.integer(spec, "minReadySeconds") or 0
    if deadline is not None and deadline <= ready:
        found.add(
            (*path, "progressDeadlineSeconds"),
            f"progressDeadlineSeconds {deadline} must be greater than minReadySeconds {ready}",
        )
    strategy = found.mapping(spec, "strategy")
    where = (*path, "strategy")
    kind = found.enum(strategy, "type", where, DEPLOYMENT_STRATEGIES, "strategy type")
    if kind == "Recreate" and strategy.get("rollingUpdate") is not None:
        found.add(
            (*where, "rollingUpdate"),
            "rollingUpdate may not be set when the strategy type is Recreate",
        )
    _rolling_update(found, found.mapping(strategy, "rollingUpdate"), (*where, "rollingUpdate"))


def _rolling_update(found: Findings, rolling: dict[str, Any], path: tuple[str, ...]) -> None:
    """ValidateRollingUpdateDeployment / ValidateRollingUpdateDaemonSet: each an
    integer or percentage, maxUnavailable at most 100% (both zero is rolling-update-stuck's)."""
    found.int_or_percent(rolling, "maxUnavailable", path, at_most_100=True)
    found.int_or_percent(rolling, "maxSurge", path)


def check_replica_set(found: Findings, spec: dict[str, Any]) -> None:
    for key in ("replicas", "minReadySeconds"):
        found.at_least(spec, key, ("spec",), 0)


def check_daemon_set(found: Findings, spec: dict[str, Any]) -> None:
    path = ("spec",)
    for key in ("minReadySeconds", "revisionHistoryLimit"):
        found.at_least(spec, key, path, 0)
    strategy = found.mapping(spec, "updateStrategy")
    where = (*path, "updateStrategy")
    found.enum(strategy, "type", where, SET_STRATEGIES, "updateStrategy type")
    _rolling_update(found, found.mapping(strategy, "rollingUpdate"), (*where, "rollingUpdate"))


def check_stateful_set(found: Findings, spec: dict[str, Any]) -> None:
    path = ("spec",)
    for key in ("replicas", "minReadySeconds", "revisionHistoryLimit"):
        found.at_least(spec, key, path, 0)
    found.enum(spec, "podManagementPolicy", path, POD_MANAGEMENT)
    strategy = found.mapping(spec, "updateStrategy")
    where = (*path, "updateStrategy")
    kind = found.enum(strategy, "type", where, SET_STRATEGIES, "updateStrategy type")
    if kind == "OnDelete" and strategy.get("rollingUpdate") is not None:
        found.add(
            (*where, "rollingUpdate"),
            "rollingUpdate may be set only for the RollingUpdate update strategy",
        )
    rolling = found.mapping(strategy, "rollingUpdate")
    found.at_least(rolling, "partition", (*where, "rollingUpdate"), 0)
    if "maxUnavailable" in rolling:
        found.int_or_percent(rolling, "maxUnavailable", (*where, "rollingUpdate"), True)
    retention = found.mapping(spec, "persistentVolumeClaimRetentionPolicy")
    for key in ("whenDeleted", "whenScaled"):
        found.enum(retention, key, (*path, "persistentVolumeClaimRetentionPolicy"), RETENTION)
    found.at_least(found.mapping(spec, "ordinals"), "start", (*path, "ordinals"), 0)


def check_job(found: Findings, spec: dict[str, Any], path: tuple[str, ...] = ("spec",)) -> None:
    for key in ("parallelism", "completions", "backoffLimit", "ttlSecondsAfterFinished"):
        found.at_least(spec, key, path, 0)
    found.at_least(spec, "activeDeadlineSeconds", path, 0)
    restart = found.string(found.mapping(found.mapping(spec, "template"), "spec"), "restartPolicy")
    if spec.get("podFailurePolicy") is not None and restart == "OnFailure":
        found.add(
            (*path, "template", "spec", "restartPolicy"),
            "restartPolicy must be Never when the Job has a podFailurePolicy",
        )
    mode = found.enum(spec, "completionMode", path, COMPLETION_MODES)
    if mode == "Indexed" and spec.get("completions") is None and not found.kustomize_input:
        found.add(
            (*path, "completionMode"),
            "completionMode Indexed requires completions to be set",
        )


def check_cron_job(found: Findings, spec: dict[str, Any]) -> None:
    path = ("spec",)
    schedule = found.string(spec, "schedule")
    if schedule is not None:
        if "TZ" in schedule:
            found.add(
                (*path, "schedule"),
                f"schedule {schedule!r} may not use TZ or CRON_TZ: set spec.timeZone instead",
            )
        else:
            error = schedule_error(schedule)
            if error:
                found.add(
                    (*path, "schedule"), f"schedule {schedule!r} is not a cron schedule: {error}"
                )
    zone = spec.get("timeZone")
    if isinstance(zone, str):
        error = time_zone_error(zone)
        if error:
            found.add((*path, "timeZone"), f"timeZone {zone!r} {error}")
    found.enum(spec, "concurrencyPolicy", path, CONCURRENCY_POLICIES)
    for key in ("startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"):
        found.at_least(spec, key, path, 0)
    job_spec = found.mapping(found.mapping(spec, "jobTemplate"), "spec")
    check_job(found, job_spec, (*path, "jobTemplate", "spec"))


def time_zone_error(zone: str) -> str | None:
    """validateTimeZone: an IANA zone name that time.LoadLocation knows, never Local."""
    if not zone:
        return "must not be empty: omit it to use the controller's time zone"
    if zone.lower() == "local":
        return "must be an explicit IANA time zone name, not Local"
    if len(_zones()) > 1 and zone not in _zones():  # no tzdata here: cannot judge
        return "is not an IANA time zone name (such as Europe/Paris or UTC)"
    return None


@functools.cache
def _zones() -> frozenset[str]:
    import zoneinfo  # only for a CronJob with a timeZone: not in every run's start-up

    return frozenset(zoneinfo.available_timezones()) | {"UTC"}
