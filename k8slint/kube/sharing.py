"""Equal parts of the run's objects, held once.

The cross-object phase holds every object of a run at once, and a monorepo
repeats itself: environment overlays and vendored copies of one application
hold the same labels, ports, volumes and whole objects many times over (16
copies of the corpus held 16 copies of its 8 MiB of plain data). Once an
object's own checks are done (`kube.packed`), `SharedData.share` replaces each
of its mappings and lists by an equal one seen before in the run, so a repeated
part costs one reference.

Shared parts must never be written: after the per-object phase nothing writes
an object's data (a raw Kustomize view copies what it changes,
`kustomize.writable`; a fix edits the file and lints it again).
"""

from __future__ import annotations

from typing import Any


class SharedData:
    """One run's table of the mappings and lists its objects hold, by content.

    Parts are equal only if they are of the same types throughout (`1`, `1.0`
    and `true` are equal in Python, not in a manifest) and their mappings keep
    their keys in the same order (messages list them as written). Children are
    shared before their parent, so telling whether a parent was seen before
    compares its children by identity: one level, never a whole tree.
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[int, Any] = {}
        """The first part of each content hash (a different part with the same
        hash is kept as it is)."""

    def share(self, value: Any) -> Any:
        """`value`, or an equal part seen before, with its children shared (in place)."""
        return self._shared(value)[0]

    def _shared(self, value: Any) -> tuple[Any, int]:
        """The shared form of a mapping or list, and its content hash (the hash
        ignores types: parts it confuses are told apart by `_same`)."""
        hashes: list[Any] = []
        children = value.items() if value.__class__ is dict else enumerate(value)
        for place, child in children:
            cls = child.__class__
            if cls is dict or cls is list:
                shared, child_hash = self._shared(child)
                if shared is not child:
                    value[place] = shared
            else:
                try:
                    child_hash = hash(child)
                except TypeError:  # no hashable value: never equal to another part
                    child_hash = id(child)
            hashes.append(place)
            hashes.append(child_hash)
        digest = hash(tuple(hashes))
        seen = self._seen.setdefault(digest, value)
        return (seen if seen is not value and _same(seen, value) else value), digest


def _same(one: Any, other: Any) -> bool:
    """Whether two parts whose children are shared are equal, types included."""
    if one.__class__ is not other.__class__ or len(one) != len(other):
        return False
    if one.__class__ is dict:
        return all(
            key == other_key and _same_child(child, other_child)
            for (key, child), (other_key, other_child) in zip(
                one.items(), other.items(), strict=True
            )
        )
    return all(_same_child(a, b) for a, b in zip(one, other, strict=True))


def _same_child(one: Any, other: Any) -> bool:
    if one is other:
        return True
    cls = one.__class__
    return cls is other.__class__ and cls is not dict and cls is not list and one == other
