"""What a check may depend on: this module, `k8slint.model` and `k8slint.kube`.

Checks never import the engine or each other. The engine imports this module
to find checks by name; a check registers itself with `@check(scope=...)`, so
adding a rule never means editing a central list.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any, Literal, NamedTuple

from k8slint.kube.openapi import Version
from k8slint.model import Resource

Scope = Literal["resource", "run"]


def _ignore(resource: Resource) -> None:
    return None


class CheckContext(NamedTuple):
    """What a check may know besides the objects: the target version, its params,
    whether unknown fields are errors; and where to say an object was not validated."""

    kubernetes_version: Version
    params: dict[str, Any]
    strict: bool = True
    not_validated: Callable[[Resource], None] = _ignore
    """Call for an object the check cannot judge (a custom resource without a CRD):
    it is listed in the summary, never a finding."""


AppliesTo = Callable[[Resource], bool]
"""Which objects a per-object check can report on, judged by their type alone."""

Reads = Callable[[Resource], bool]
"""Which objects a cross-object check reads, judged by their type alone."""


class Check(NamedTuple):
    name: str
    scope: Scope
    function: Callable[..., Iterable[Any]]
    applies_to: AppliesTo | None = None
    """For a per-object check: the objects it can report on, decided by the
    object's type alone (apiVersion, kind and `Resource.template_path`), so the
    engine asks once per type and calls the check for those objects only (most
    rules are about Pods, most objects hold none). None: every object."""
    reads: Reads | None = None
    """For a cross-object check: the objects it reads (and reports on), decided by
    their type alone. Its verdicts are cached under what those objects hold, so
    an edit of any other object does not run it again (`k8slint.cache.crossobject`;
    tests/test_check_reads.py holds each check to its declaration). None: every
    object."""
    per_component: bool = False
    """For a cross-object check: True when it relates objects only as
    `kube.index` relates them (`related`, `sees`, `Application.holds`) and
    looks beyond them only through the index's lookups of the whole run
    (`all_named`, `selects_any`, `scaling`, `crd_kinds`, `granted_names`, the
    `custom_resource_*` ones, and `whole.of_kind` of the `run_wide` kinds), so
    that it finds on each part of the run
    (`kube.components`) what it finds there on the whole run. Its verdicts are
    kept per part, and an edit runs it again on the edited part alone
    (tests/test_check_reads.py holds each such check to that)."""


_CHECKS: dict[str, Check] = {}


def check(
    scope: Scope,
    applies_to: AppliesTo | None = None,
    reads: Reads | None = None,
    per_component: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a check as `<module>.<function>` (module relative to k8slint.checks).

    A `resource` check is called as `fn(resource, context)` and yields Problems,
    only for objects `applies_to` accepts (see `Check.applies_to`); a `run`
    check as `fn(index, context)` and yields (Resource, Problem) pairs, about
    objects `reads` accepts (see `Check.reads`); `per_component`: see
    `Check.per_component`.
    """
    if applies_to is not None and scope != "resource":
        raise ValueError("applies_to is for per-object checks")
    if (reads is not None or per_component) and scope != "run":
        raise ValueError("reads and per_component are for cross-object checks")
    if reads is not None and per_component:
        raise ValueError("a check reads some types, or is judged per component, not both")

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        module = function.__module__.rpartition(".")[2]
        name = f"{module}.{function.__name__}"
        _CHECKS[name] = Check(name, scope, function, applies_to, reads, per_component)
        return function

    return register


def find_check(name: str) -> Check:
    """Import the check's module on first use and return the registered check."""
    if name not in _CHECKS:
        module = name.rpartition(".")[0]
        try:
            importlib.import_module(f"k8slint.checks.{module}")
        except ModuleNotFoundError as error:
            raise KeyError(f"no check module {module!r} for check {name!r}") from error
    try:
        return _CHECKS[name]
    except KeyError:
        raise KeyError(f"no check named {name!r}") from None
