"""Label sets found by the labels a selector names, without scanning them all.

A namespace of a monorepo holds thousands of pod templates, and every
Service, PodDisruptionBudget and NetworkPolicy asks which of them its
selector selects, and, when none, which one it nearly selects. Comparing
each selector with each template is quadratic (20,000 trios did not finish);
this index answers both questions from a few dictionary lookups, returning a
*superset* of the answer (positions, in the order the label sets were
given) that the caller then tests exactly with `Selector.matches`, so the
answer is the same as a full scan's.

- `matching`: a template matches only if it satisfies every term; one
  positive term (`In`, `Exists`) is enough to narrow the search, the one with
  the fewest candidates.
- `resembling`: a template can only rank above the others for a near miss
  (`resolution`) if it satisfies a term, carries a value the selector asks
  for (under any key) or the name it is looked up by, or carries a term's key
  with a similar value; every other template scores nothing and is named only
  in the listing of what the application holds, in the order given.

A term on a key that some template carries without showing it (a label a
controller adds, `pod-template-hash`) or a negative term (`NotIn`,
`DoesNotExist`, satisfied by templates that lack the key) can be satisfied
without any lookup finding it: those return None, "any position".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence

from k8slint.kube.labels import Requirement, Selector
from k8slint.kube.nearness import similar

_POSITIVE = frozenset({"In", "Exists"})


class LabelIndex:
    """Positions of label sets by key, by key=value, by value and by owner name."""

    def __init__(
        self, entries: Sequence[tuple[Mapping[str, str], frozenset[str], str | None]]
    ) -> None:
        """`entries`: (labels, keys present with an unknown value, owner name), in order."""
        self.size = len(entries)
        self._by_pair: dict[tuple[str, str], list[int]] = defaultdict(list)
        self._by_key: dict[str, list[int]] = defaultdict(list)
        self._by_value: dict[str, list[int]] = defaultdict(list)
        self._values_by_key: dict[str, dict[str, list[int]]] = defaultdict(dict)
        self._by_name: dict[str, list[int]] = defaultdict(list)
        self._hidden_keys: set[str] = set()
        for position, (labels, hidden, name) in enumerate(entries):
            for key, value in labels.items():
                self._by_pair[(key, value)].append(position)
                self._values_by_key[key].setdefault(value, self._by_pair[(key, value)])
                self._by_key[key].append(position)
                self._by_value[value].append(position)
            if name:
                self._by_name[name].append(position)
            self._hidden_keys.update(hidden)

    def matching(self, selector: Selector) -> list[int] | None:
        """Positions that may satisfy every term; None when no term narrows it."""
        best: list[int] | None = None
        for term in selector.requirements:
            found = self._carrying(term)
            if found is not None and (best is None or len(found) < len(best)):
                best = found
        return best

    def _carrying(self, term: Requirement) -> list[int] | None:
        """Positions that satisfy `term` for certain, or None if lookups cannot tell."""
        if term.operator not in _POSITIVE or term.key in self._hidden_keys:
            return None
        if term.operator == "Exists":
            return self._by_key.get(term.key, [])
        if len(term.values) == 1:  # (matchLabels) one list, in order already: no copy
            (value,) = term.values
            return self._by_pair.get((term.key, value), [])
        return _union(self._by_pair.get((term.key, value), ()) for value in term.values)

    def resembling(self, selector: Selector, name: str | None) -> list[int] | None:
        """Positions that might score as a near miss of `selector` (see `resolution`):
        those that satisfy a term, carry a value it asks for (under any key) or
        `name`, or carry one term's key with a similar value. None where a term
        could be satisfied without a lookup finding it."""
        terms = selector.requirements
        if any(t.operator not in _POSITIVE or t.key in self._hidden_keys for t in terms):
            return None
        lists: list[Iterable[int]] = [self._by_name.get(name, ())] if name else []
        for term in terms:
            lists.append(self._carrying(term) or ())
            lists.extend(self._by_value.get(value, ()) for value in term.values)
        # A template that satisfies no term is a near miss only if every term is
        # near: an `In` whose key it carries with a similar value, or whose value
        # it carries (found above). One such term is enough to find them all.
        keyed = [t for t in terms if t.operator == "In"]
        if len(keyed) == len(terms):
            term = min(keyed, key=lambda t: len(self._values_by_key.get(t.key, ())))
            values = self._values_by_key.get(term.key, {})
            lists.extend(
                positions
                for value, positions in values.items()
                if any(similar(wanted, value) for wanted in term.values)
            )
        return _union(lists)


def _union(lists: Iterable[Iterable[int]]) -> list[int]:
    found: set[int] = set()
    for positions in lists:
        found.update(positions)
    return sorted(found)
