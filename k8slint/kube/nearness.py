"""Is this what the author meant? Typo-distance between names and label values.

A reference that resolves to nothing is a bug when something *almost* matches
(`app: wbe` beside `app: web`, `frontend` beside `front`); when nothing in the
run resembles it, the target most likely lives outside the run (another
repository, a chart, an operator's pods) and a finding would be noise. The
cross-object rules report only the first kind, and name the near match.
"""

from __future__ import annotations

from collections.abc import Iterable


def _distance(first: str, second: str) -> int:
    """Edit distance counting a swap of two neighbours as one edit (`wbe` -> `web`)."""
    rows = [list(range(len(second) + 1))]
    for i, a in enumerate(first, start=1):
        row = [i] + [0] * len(second)
        for j, b in enumerate(second, start=1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a != b))
            if i > 1 and j > 1 and a == second[j - 2] and first[i - 2] == b:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


_SEPARATORS = "-_./"


def similar(first: str, second: str) -> bool:
    """A likely typo or abbreviation of each other.

    One edit apart (two for names longer than eight characters), or one a
    prefix of the other that is at least half its length (`front`/`frontend`).
    A separated qualifier makes another name, not a typo: `web-canary` and
    `tcp-backend-v1` are not `web` and `tcp-backend`.
    """
    if first == second:
        return True
    short, long = sorted((first, second), key=len)
    if not short:
        return False
    if long.startswith(short):
        return long[len(short)] not in _SEPARATORS and 2 * len(short) >= len(long)
    edits = 1 if len(short) <= 8 else 2
    # Each added character is an edit: names whose lengths differ by more are
    # not similar, known without the (quadratic) distance.
    return len(long) - len(short) <= edits and _distance(first, second) <= edits


def closest(name: str, names: Iterable[str]) -> str | None:
    """The most similar of `names` to `name`, if any is similar at all."""
    matches = [other for other in names if other != name and similar(name, other)]
    return min(matches, key=lambda other: (_distance(name, other), other)) if matches else None
