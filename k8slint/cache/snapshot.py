"""The last run's parts in one entry, held as the cross-object phase holds them.

After one file changed, every other file's part (and every Kustomize root's
built objects) comes from the cache. Read one entry at a time, that is two
thousand small reads and unpicklings for the corpus, and each part's data is
then shared again (`kube.sharing`), as much work as the rest of the re-lint.
A snapshot is every part of a run in one pickle, written after its objects
were shared: the pickle keeps which equal parts are one object, so the parts
come back held once, and the run merges them as they are.

A part is taken from the snapshot by its own entry's key (the file's content,
its settings...), so a changed file's old part is never taken, and the
snapshot is only a faster way to read entries the run would read anyway. It
is written again when enough of the run's parts were not in it.
"""

from __future__ import annotations

from typing import Any

MIN_FRESH = 32
FRESH_SHARE = 1 / 16
"""A snapshot is written again when more of the run's parts than both of
these (a number, a share of all) were not in it: each edit makes one or two,
which are read one by one until then."""


class Snapshot:
    """The last run's parts, taken by key, and this run's, kept for the next."""

    def __init__(self, last: Any) -> None:
        self._last: dict[str, Any] = last if isinstance(last, dict) else {}
        self.parts: dict[str, Any] = {}
        """This run's parts by key, in the order they were merged."""
        self._taken: set[int] = set()

    def take(self, key: str) -> Any | None:
        """The last run's part under `key` (each is taken once), or None."""
        part = self._last.pop(key, None)
        if part is not None:
            self._taken.add(id(part))
        return part

    def taken(self, part: Any) -> bool:
        """Whether `part` came from the snapshot (its data is held already)."""
        return id(part) in self._taken

    def keep(self, key: str, part: Any) -> None:
        self.parts[key] = part

    def stale(self) -> bool:
        """Whether this run's parts should be the next run's snapshot: there was
        none (or none of it was of use), or too much is read one by one. A run
        of one part keeps none: that part's own entry is read as cheaply, and a
        one-file lint (a pre-commit hook's, an editor's) writes one entry less."""
        fresh = len(self.parts) - len(self._taken)
        if not self._taken:
            return fresh > 1
        return fresh > max(MIN_FRESH, len(self.parts) * FRESH_SHARE)
