"""What every area of api-validation shares: a collector of problems with
type-guarded readers, so a value of the wrong type (the `schema` rule's
finding) is never judged a second time here."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from k8slint.kube.openapi import Version
from k8slint.kube.quantity import QuantityError, parse_quantity
from k8slint.model import JsonPath, Problem

_PERCENT = re.compile(r"^[0-9]+%$")
_PLACEHOLDER = re.compile(r"\$\{?[A-Za-z_]|\{\{|<[^<>]+>|^[A-Z][A-Z0-9]*_[A-Z0-9_]*$")
"""`$VAR`, `${VAR}`, `{{ value }}`, `<NAME>`, `KSA_NAME`: a value that a tool
(envsubst, sed, a template engine) replaces before apply, so not judged as itself."""


def is_placeholder(value: object) -> bool:
    return isinstance(value, str) and bool(_PLACEHOLDER.search(value))


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(slots=True)
class Findings:
    """The problems of one object, and what the checks need to know about it."""

    version: Version
    is_fragment: Callable[[], bool]
    """Whether the object is a Kustomize patch or base (asked only when something is
    missing: finding out may walk the whole object)."""
    problems: list[Problem] = field(default_factory=list)
    _fragment: bool | None = None

    @property
    def kustomize_input(self) -> bool:
        """A patch or base: its missing parts may come from elsewhere, so absence is
        not judged."""
        if self._fragment is None:
            self._fragment = self.is_fragment()
        return self._fragment

    def add(self, path: JsonPath, message: str) -> None:
        self.problems.append(Problem(path, f"{message}; the API server rejects the object"))

    def string(self, mapping: Any, key: str) -> str | None:
        value = mapping.get(key) if isinstance(mapping, dict) else None
        return value if isinstance(value, str) else None

    def integer(self, mapping: Any, key: str) -> int | None:
        value = mapping.get(key) if isinstance(mapping, dict) else None
        return value if is_int(value) else None

    def mapping(self, mapping: Any, key: str) -> dict[str, Any]:
        value = mapping.get(key) if isinstance(mapping, dict) else None
        return value if isinstance(value, dict) else {}

    def items(self, mapping: Any, key: str) -> Iterable[tuple[int, dict[str, Any]]]:
        """The mapping entries of a list field, with their indexes."""
        value = mapping.get(key) if isinstance(mapping, dict) else None
        if isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    yield index, item

    def enum(
        self, mapping: Any, key: str, path: JsonPath, allowed: Iterable[str], what: str = ""
    ) -> str | None:
        """Check a fixed-value field; returns the value when it is one of `allowed`."""
        value = self.string(mapping, key)
        allowed = tuple(allowed)
        if value is None or value in allowed:
            return value
        if is_placeholder(value):
            return None
        near = next((a for a in allowed if a.lower() == value.lower()), None)
        hint = f" (did you mean {near}?)" if near else ""
        self.add(
            (*path, key),
            f"{what or key} {value!r} is not one of {', '.join(allowed)}{hint}",
        )
        return None

    def syntax(
        self, value: Any, path: JsonPath, what: str, rule: Callable[[str], str | None]
    ) -> None:
        """Check a string against one of the name syntaxes of `k8slint.kube.names`."""
        if isinstance(value, str) and value and not is_placeholder(value):
            error = rule(value)
            if error:
                self.add(path, f"{what} {value!r} {error}")

    def port_number(self, value: int, path: JsonPath, what: str) -> None:
        """IsValidPortNum."""
        if not 1 <= value <= 65535:
            self.add(path, f"{what} {value} must be a port number between 1 and 65535")

    def at_least(self, mapping: Any, key: str, path: JsonPath, low: int, what: str = "") -> None:
        """ValidateNonnegativeField and its kin: an integer field's lower bound."""
        value = self.integer(mapping, key)
        if value is not None and value < low:
            bound = "not be negative" if low == 0 else f"be at least {low}"
            self.add((*path, key), f"{what or key} must {bound}, not {value}")

    def quantity(self, value: Any, path: JsonPath, what: str) -> Any:
        """The parsed quantity (a Decimal), or None after reporting why it is not one."""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return None
        if is_placeholder(value):
            return None
        try:
            return parse_quantity(value)
        except QuantityError as error:
            self.add(path, f"{what}: {error}")
            return None

    def int_or_percent(
        self, mapping: Any, key: str, path: JsonPath, at_most_100: bool = False
    ) -> None:
        """ValidatePositiveIntOrPercent (and IsNotMoreThan100Percent where asked)."""
        value = mapping.get(key) if isinstance(mapping, dict) else None
        where = (*path, key)
        if is_int(value):
            if value < 0:
                self.add(where, f"{key} must not be negative, not {value}")
        elif isinstance(value, str) and not is_placeholder(value):
            if not _PERCENT.match(value):
                self.add(where, f"{key} {value!r} must be an integer or a percentage such as '25%'")
            elif at_most_100 and int(value[:-1]) > 100:
                self.add(where, f"{key} {value!r} must not be more than 100%")
