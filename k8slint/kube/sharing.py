"""Equal parts of the run's objects, held once.

The cross-object phase holds every object of a run at once, and a monorepo
repeats itself: environment overlays and vendored copies of one application
hold the same labels, ports, volumes and whole objects many times over (16
copies of the corpus held 16 copies of its 8 MiB of plain data). Once an
object's own checks are done (`kube.packed`), `SharedData.share` replaces each
of its mappings and lists by an equal one seen before in the run, so a repeated
part costs one reference: from the run's `UNSHARED_OBJECTS`th object on, the
size of run where memory starts to matter.

Shared parts must never be written: after the per-object phase nothing writes
an object's data (a raw Kustomize view copies what it changes,
`kustomize.writable`; a fix edits the file and lints it again).
"""

from __future__ import annotations

import marshal
from typing import Any

UNSHARED_OBJECTS = 10_000
"""How many objects a run holds as they are before it shares (`SharedData.hold`).
Sharing is for the runs whose objects would not fit otherwise; below this it only
costs time: on the corpus (3,566 objects) it was 4% of a lint for 4 MiB less.
The objects before it hold ~25 MiB more than shared ones would (16 copies of the
corpus: 211 MiB at peak, 187 sharing from the first object; the target is 300)."""

_MARSHAL_VERSION = 2
"""The newest `marshal` format that writes a value by its content alone: later
ones mark interned strings and refer back to objects met twice, so equal parts
could differ in bytes."""


class SharedData:
    """One run's table of the mappings and lists its objects hold, by content.

    Parts are equal only if they are of the same types throughout (`1`, `1.0`
    and `true` are equal in Python, not in a manifest) and their mappings keep
    their keys in the same order (messages list them as written). A part of
    plain data is known by its `marshal` bytes, which say exactly that, written
    in C: a part seen before is found without a Python call per value, and an
    object repeated whole (the copies of an application) costs one look-up.
    A part holding something else (a packed CRD schema) is known by its
    children, shared first so that they compare by identity: one level, never
    a whole tree.
    """

    __slots__ = ("_mixed", "_plain", "_unshared")

    def __init__(self, unshared: int | None = None) -> None:
        self._unshared = UNSHARED_OBJECTS if unshared is None else unshared
        """Objects still to be held as they are (`UNSHARED_OBJECTS`)."""
        self._plain: dict[int, Any] = {}
        """The first plain part of each hash of its bytes (a different part
        with the same hash is kept as it is)."""
        self._mixed: dict[int, Any] = {}
        """The first other part of each hash of its keys and children."""

    def hold(self, value: Any) -> Any:
        """An object's data as the run holds it: as it is for the run's first
        `UNSHARED_OBJECTS` objects (they are not remembered either), shared after."""
        if self._unshared > 0:
            self._unshared -= 1
            return value
        return self.share(value)

    def share(self, value: Any) -> Any:
        """`value`, or an equal part seen before, with its children shared (in place)."""
        try:
            content = marshal.dumps(value, _MARSHAL_VERSION)
        except ValueError:  # holds a value that marshal does not write
            return self._share_mixed(value)
        seen = self._plain.setdefault(hash(content), value)
        if seen is not value and marshal.dumps(seen, _MARSHAL_VERSION) == content:
            return seen
        self._share_children(value)
        return value

    def _share_mixed(self, value: Any) -> Any:
        tokens = self._share_children(value)
        try:
            digest = hash(tuple(tokens))
        except TypeError:  # an unhashable value: never equal to another part
            return value
        seen = self._mixed.setdefault(digest, value)
        return seen if seen is not value and _same(seen, value) else value

    def _share_children(self, value: Any) -> list[Any]:
        """Share the mappings and lists in `value`; its keys, then each child
        (a shared part by identity), for its hash: types are ignored there,
        `_same` tells apart the parts the hash confuses."""
        if value.__class__ is dict:
            tokens = list(value)
            children = value.items()
        else:
            tokens = []
            children = enumerate(value)
        for place, child in children:
            cls = child.__class__
            if cls is dict or cls is list:
                shared = self.share(child)
                if shared is not child:
                    value[place] = shared
                tokens.append(id(shared))
            else:
                tokens.append(child)
        return tokens


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
