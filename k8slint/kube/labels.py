"""Label selectors, evaluated exactly as Kubernetes evaluates them.

Every controller, Service, PodDisruptionBudget and NetworkPolicy finds its pods
by labels alone, so the rules that check those links must agree with the API
server on what a selector selects. That logic lives here, once:

- `matchLabels` and `matchExpressions` are ANDed (metav1.LabelSelector).
- `In` needs the key with one of the values; `NotIn` matches when the key is
  absent or has another value; `Exists` / `DoesNotExist` test the key only.
- `In` / `NotIn` need at least one value, `Exists` / `DoesNotExist` none; any
  other operator is invalid. Such a selector is rejected by the API, so it is
  reported as invalid, never evaluated.
- An empty LabelSelector (`{}`) selects everything; an absent one nothing.
  A map selector (Service, ReplicationController) is `matchLabels` alone; an
  empty map on a Service means "no selector" (endpoints managed by hand).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from k8slint.model import JsonPath

OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


class Requirement(NamedTuple):
    """One term of a selector: `key <operator> values`, and where it was written."""

    key: str
    operator: str
    values: frozenset[str]
    path: JsonPath

    def matches(self, labels: Mapping[str, str], wildcard: frozenset[str] = frozenset()) -> bool:
        """Whether a pod with `labels` satisfies this term.

        `wildcard` keys are present with a value we cannot know (labels that a
        controller adds to its pods, such as `pod-template-hash`): any term on
        them that needs the key present is taken to match.
        """
        if self.key in wildcard and self.key not in labels:
            return self.operator != "DoesNotExist"
        present = self.key in labels
        if self.operator == "Exists":
            return present
        if self.operator == "DoesNotExist":
            return not present
        inside = present and labels[self.key] in self.values
        return inside if self.operator == "In" else not inside

    def describe(self) -> str:
        if self.operator == "In" and len(self.values) == 1:
            return f"{self.key}={next(iter(self.values))}"
        if self.operator == "NotIn" and len(self.values) == 1:
            return f"{self.key}!={next(iter(self.values))}"
        if self.operator == "Exists":
            return self.key
        if self.operator == "DoesNotExist":
            return f"!{self.key}"
        word = "in" if self.operator == "In" else "notin"
        return f"{self.key} {word} ({','.join(sorted(self.values))})"


class Selector(NamedTuple):
    """A parsed selector: its terms (ANDed), or why the API would reject it.

    `selects_nothing` is the absent selector (or PodDisruptionBudget's old
    empty one); no terms and not `selects_nothing` selects every pod.
    """

    requirements: tuple[Requirement, ...] = ()
    errors: tuple[tuple[JsonPath, str], ...] = ()
    selects_nothing: bool = False

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def selects_everything(self) -> bool:
        return not self.selects_nothing and not self.requirements

    def matches(self, labels: Mapping[str, str], wildcard: frozenset[str] = frozenset()) -> bool:
        if self.selects_nothing:
            return False
        return all(term.matches(labels, wildcard) for term in self.requirements)

    def failing(
        self, labels: Mapping[str, str], wildcard: frozenset[str] = frozenset()
    ) -> list[Requirement]:
        """The terms that `labels` does not satisfy, in the order they were written."""
        return [term for term in self.requirements if not term.matches(labels, wildcard)]

    def describe(self) -> str:
        if self.selects_nothing:
            return "nothing"
        if not self.requirements:
            return "everything"
        return ",".join(term.describe() for term in self.requirements)


NOTHING = Selector(selects_nothing=True)


def _label_value(value: Any) -> str:
    """Label values are strings; an unquoted `true` or `1` is still compared as
    written, and an empty value (`app:`) is the empty string, as the API reads it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def parse_map_selector(data: Any, path: JsonPath) -> Selector:
    """A Service or ReplicationController selector: `{key: value}` pairs, ANDed.

    Absent or empty selects nothing here: a Service without a selector has its
    endpoints managed by hand, and an RC's is defaulted from its template.
    """
    if not isinstance(data, dict) or not data:
        return NOTHING
    return Selector(tuple(_equals(key, value, (*path, key)) for key, value in data.items()))


def _equals(key: Any, value: Any, path: JsonPath) -> Requirement:
    return Requirement(str(key), "In", frozenset({_label_value(value)}), path)


def parse_label_selector(data: Any, path: JsonPath) -> Selector:
    """A metav1.LabelSelector (`matchLabels` + `matchExpressions`) found at `path`."""
    if not isinstance(data, dict):
        return NOTHING
    terms: list[Requirement] = []
    errors: list[tuple[JsonPath, str]] = []
    match_labels = data.get("matchLabels")
    if isinstance(match_labels, dict):
        for key, value in match_labels.items():
            terms.append(_equals(key, value, (*path, "matchLabels", key)))
    expressions = data.get("matchExpressions")
    if isinstance(expressions, list):
        for index, expression in enumerate(expressions):
            where = (*path, "matchExpressions", index)
            term, error = _expression(expression, where)
            if error:
                errors.append((where, error))
            elif term:
                terms.append(term)
    return Selector(tuple(terms), tuple(errors))


def _expression(expression: Any, path: JsonPath) -> tuple[Requirement | None, str | None]:
    if not isinstance(expression, dict):
        return None, "a matchExpressions entry must be a mapping with key and operator"
    key, operator = expression.get("key"), expression.get("operator")
    raw_values = expression.get("values")
    values = raw_values if isinstance(raw_values, list) else []
    if not isinstance(key, str) or not key:
        return None, "a matchExpressions entry needs a key"
    if operator not in OPERATORS:
        return None, (
            f"operator {operator!r} is not a label selector operator "
            f"(one of {', '.join(OPERATORS)}; case matters)"
        )
    if operator in ("In", "NotIn") and not values:
        return None, f"operator {operator} needs at least one value"
    if operator in ("Exists", "DoesNotExist") and values:
        return None, f"operator {operator} takes no values; remove values or use In"
    return Requirement(key, operator, frozenset(_label_value(v) for v in values), path), None


def intersects(first: Selector, second: Selector) -> bool:
    """Whether some label set satisfies both selectors.

    Per key, the terms of both selectors together either allow the key to be
    absent (no In / Exists) or allow it present with a value that every In
    admits and no NotIn excludes (without an In, infinitely many values do).
    Keys are independent, so the selectors intersect when every key can be
    satisfied.
    """
    if first.selects_nothing or second.selects_nothing:
        return False
    by_key: dict[str, list[Requirement]] = {}
    for term in (*first.requirements, *second.requirements):
        by_key.setdefault(term.key, []).append(term)
    return all(_key_satisfiable(terms) for terms in by_key.values())


def _key_satisfiable(terms: Iterable[Requirement]) -> bool:
    terms = list(terms)
    operators = {term.operator for term in terms}
    if not operators & {"In", "Exists"}:
        return True  # the key may be absent
    if "DoesNotExist" in operators:
        return False
    allowed: frozenset[str] | None = None
    for term in terms:
        if term.operator == "In":
            allowed = term.values if allowed is None else allowed & term.values
    excluded = frozenset().union(*(t.values for t in terms if t.operator == "NotIn"))
    return allowed is None or bool(allowed - excluded)


def format_labels(labels: Mapping[str, str], keys: Iterable[str] | None = None) -> str:
    """`app=web,tier=front`; with `keys`, only those (missing ones said so)."""
    if keys is None:
        return ",".join(f"{key}={value}" for key, value in labels.items()) or "no labels"
    shown: list[str] = []
    missing: list[str] = []
    for key in dict.fromkeys(keys):
        if key in labels:
            shown.append(f"{key}={labels[key]}")
        else:
            missing.append(key)
    text = ",".join(shown)
    if missing:
        absent = f"no {', '.join(missing)} label{'s' if len(missing) > 1 else ''}"
        text = f"{text} and {absent}" if text else absent
    return text


def labels_of(data: Any) -> dict[str, str]:
    """The string labels of a `metadata` mapping (values typed as Kubernetes reads them)."""
    labels = data.get("labels") if isinstance(data, dict) else None
    if not isinstance(labels, dict):
        return {}
    return {str(key): _label_value(value) for key, value in labels.items()}
