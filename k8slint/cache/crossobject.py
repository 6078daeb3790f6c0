"""The cross-object findings of a run, kept for a run whose objects read the same.

The cross-object (run-scope) checks are most of a re-lint after one file
changed, and most edits (a comment, a value only per-object rules read, a
whitespace change) leave everything those checks read as it was. Their
verdicts are kept under the digest of what they read (`view_key`): every
object of the cross-object view, in order, with every attribute of
`model.Resource` a check can read, and the run's settings. Positions are not in
it: a check never sees them (`Problem` is a path into an object), so a
`Recording` keeps each verdict as (rule, object's place in the view, problem)
and the engine places it again against this run's objects. Where a finding
lands, whether a comment suppresses it and the rule's severity for that file
are decided live, as for a verdict just made.

The checks judged per component (`Check.per_component`) are kept per part
of the run (`kube.components`), each under the digest of its own objects and
of those any part may read; their `Recording` also holds what the part asked
of the whole run (`Recording.facts`), which must answer alike for it to stand.
"""

from __future__ import annotations

import hashlib
import io
import operator
import pickle
from typing import Any

from k8slint.cache.keys import canonical
from k8slint.model import Problem, Resource

READ_BY_CHECKS = (
    "file",
    "doc_index",
    "api_version",
    "kind",
    "name",
    "namespace",
    "data",
    "template_path",
    "context_only",
    "file_kind",
    "build",
    "kustomize_tree",
    "item_path",
)
"""The attributes of `Resource` that go into the key: all but those below."""

NOT_READ_BY_CHECKS = {
    "locate": "a position: where a verdict lands is decided again each run",
    "origin": "a position in the file a Kustomize build took the path from",
    "derived": "views of `data`, made again from it; which rules its annotations "
    "ignore is read by the engine when it places a verdict, never by a check",
    "directory": "the directory of `file` (in the key) under the working "
    "directory (which the engine puts in the settings)",
}
"""Why each other attribute of `Resource` is left out (a test holds the two
lists to `Resource`'s fields, so a new attribute is decided here)."""


_READ = operator.attrgetter(*READ_BY_CHECKS)
_TREE = READ_BY_CHECKS.index("kustomize_tree")


class ObjectDigests:
    """Each object's part of a run's view keys, pickled and digested once however
    many groups of checks (`Check.reads`, the parts of `Check.per_component`)
    read it: the CRDs, the largest objects, are in several groups' views. One
    pickler writes them all (without its memo: see `view_key`)."""

    __slots__ = ("_digests", "_pickler", "_trees", "_written")

    def __init__(self) -> None:
        self._digests: dict[int, bytes] = {}
        self._trees: dict[int, str] = {}
        self._written = io.BytesIO()
        self._pickler = pickle.Pickler(self._written, protocol=pickle.HIGHEST_PROTOCOL)
        self._pickler.fast = True

    def of(self, resource: Resource) -> bytes:
        """Raises what pickling raises (data that does not pickle)."""
        found = self._digests.get(id(resource))
        if found is None:
            values = _READ(resource)
            tree = values[_TREE]
            if tree is not None:
                text = self._trees.get(id(tree))
                if text is None:
                    text = self._trees[id(tree)] = canonical(tree)
                values = (*values[:_TREE], text, *values[_TREE + 1 :])
            written = self._written
            written.seek(0)
            written.truncate()
            self._pickler.dump(values)
            found = self._digests[id(resource)] = hashlib.sha256(written.getbuffer()).digest()
        return found


def view_key(
    resources: list[Resource], settings: Any, digests: ObjectDigests | None = None
) -> str | None:
    """The digest of what the cross-object checks read: `settings` (the rules
    with their options, the code, the working directory...) and each object's
    `READ_BY_CHECKS`, in the view's order (`digests`: those already taken this
    run, for the objects of several views).

    Objects are pickled without the pickler's memo (`fast`): with it, the
    bytes would depend on which equal parts happen to be one object in memory
    (`kube.sharing`, a part loaded from the cache), not only on the content.
    The pickle keeps types and the order of mappings' keys, which a message
    may show. A Kustomize tree holds sets, whose pickled order changes from
    process to process: it goes in as its `canonical` text, once per tree."""
    digests = digests or ObjectDigests()
    key = hashlib.sha256(canonical(settings).encode())
    try:
        for resource in resources:
            key.update(digests.of(resource))
    except Exception:  # data that does not pickle (a YAML alias cycle): checked, not kept
        return None
    return key.hexdigest()


class Recording:
    """What the cross-object checks gave on one view, in the order they gave it:
    ("problem", rule id, place, Problem) and ("not-validated", place), a place
    being the object's index in the view. (A plain class, not a dataclass: no
    methods to compile at the import of every run with the cache on.)"""

    __slots__ = ("complete", "events", "facts")

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self.facts: dict[tuple[Any, ...], Any] = {}
        """For the checks of one part of the run (`Check.per_component`): what
        they asked of the whole run, and the answers (`RunIndex.facts`): the
        verdicts stand while the run answers alike."""
        self.complete = True
        """False once something happened that cannot be replayed (a check's internal
        error, a verdict about an object outside the view): then it is not kept."""


class Recorder:
    """Notes the cross-object checks' verdicts on a view as they are made."""

    def __init__(self, resources: list[Resource]) -> None:
        self._places = {id(resource): place for place, resource in enumerate(resources)}
        self.recording = Recording()

    def _place(self, resource: Resource) -> int | None:
        place = self._places.get(id(resource))
        if place is None:
            self.recording.complete = False
        return place

    def problem(self, rule_id: str, resource: Resource, problem: Problem) -> None:
        place = self._place(resource)
        if place is not None:
            self.recording.events.append(("problem", rule_id, place, problem))

    def not_validated(self, resource: Resource) -> None:
        place = self._place(resource)
        if place is not None:
            self.recording.events.append(("not-validated", place))

    def failed(self) -> None:
        self.recording.complete = False
