"""The few types every layer shares: what a check says, what the engine reports.

Immutable records whose every field is part of their identity are named
tuples: Python 3.11 compiles each method of a dataclass on its own, about a
millisecond a class at start-up, which a one-file lint pays for every class
it imports (a named tuple costs a fifth of it). Dataclasses remain where a
field is left out of comparisons (`Finding`) or the object changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

if TYPE_CHECKING:
    from k8slint.kube.filekinds import KustomizeTree

JsonPath = tuple[str | int, ...]

SEVERITIES = ("error", "warning", "info")
"""Most severe first; the index is the rank used for --fail-level."""


def severity_rank(severity: str) -> int:
    """Lower is more severe, so `rank <= fail_rank` means 'at or above the fail level'."""
    return SEVERITIES.index(severity)


def format_path(path: JsonPath) -> str:
    """Render a path the way kubectl users write it: `spec.containers[0].image`."""
    out = ""
    for step in path:
        if isinstance(step, int):
            out += f"[{step}]"
        else:
            out += f".{step}" if out else step
    return out


EditOp = Literal["move", "copy", "set", "rename", "delete"]
Safety = Literal["safe", "unsafe"]


class Edit(NamedTuple):
    """One change to an object, as paths into its data (never lines: the fixer maps
    them onto the file, so a check needs no idea of layout).

    `move` and `copy` take the node at `path` to `target` (the full new path,
    creating missing mappings on the way); `set` puts `value` (JSON text, so an
    Edit stays hashable and picklable) at `path`; `rename` gives the key at `path`
    the name `new_key` in place; `delete` removes it. A new key goes before the
    sibling `before` when that exists, else before the branch that leads to the
    source, else last.
    """

    op: EditOp
    path: JsonPath
    target: JsonPath = ()
    value: str | None = None
    new_key: str = ""
    before: str = ""


class Fix(NamedTuple):
    """How to fix a Problem: `safe` keeps the meaning (applied by `--fix`), `unsafe`
    is a guess (applied only with `--unsafe-fixes`), after ruff's convention."""

    safety: Safety
    edits: tuple[Edit, ...]
    document: int = -1
    """The document of the file (`Resource.doc_index`), set by the engine."""
    base: JsonPath = ()
    """Where the object sits in that document (`("items", 2)` in a `kind: List`)."""

    def at(self, resource: Resource) -> Fix:
        """This fix placed in the resource's file, for the fixer."""
        return Fix(self.safety, self.edits, resource.doc_index, resource.item_path)


class Problem(NamedTuple):
    """A check's verdict: where (as a path into the object) and what is wrong.

    Checks never compute positions or severities; the engine does, so that every
    rule reports the same way.
    """

    path: JsonPath
    message: str
    severity: str | None = None
    """Overrides the rule's severity where Kubernetes itself changed (a field that
    was rejected before some version and only discouraged after it)."""
    fix: Fix | None = None


class ObjectRef(NamedTuple):
    """Identifies the object a finding is about, for machine-readable output."""

    api_version: str | None
    kind: str | None
    name: str | None
    namespace: str | None


class Location(NamedTuple):
    """Where a finding points: 1-based line and column in a file, which need not
    be the file of the finding's object (a built object points at its source)."""

    file: str
    line: int
    column: int
    note: str = ""
    """What a Kustomize transformer did there (`namePrefix: prod-` makes it
    `prod-web`): the engine adds it to the finding's message."""


@dataclass(slots=True, eq=False)
class Resource:
    """One Kubernetes object from one document of one file.

    `locate` maps a path to a 1-based (line, column); the loader supplies it, so
    the rest of the program never touches YAML nodes.
    """

    file: str
    doc_index: int
    api_version: str | None
    kind: str | None
    name: str | None
    namespace: str | None
    data: dict[str, Any]
    locate: Callable[[JsonPath], tuple[int, int]] = field(repr=False)
    origin: Callable[[JsonPath], Location] | None = field(default=None, repr=False)
    """Where the user wrote each path, when that is not `locate` in this file."""
    template_path: JsonPath | None = None
    """Where a custom workload kind (declared in the config) keeps its pod template."""
    context_only: bool = False
    file_kind: str = "manifest"
    """What kind of file the object came from (`k8slint.kube.filekinds`): a
    Kustomize patch is judged as an input, not as what gets applied."""
    build: str | None = None
    """The Kustomize root build (its directory as shown) the object belongs to:
    one application, so cross-object rules never pair objects of two builds."""
    kustomize_tree: KustomizeTree | None = None
    """The Kustomize tree of its file (`FileClassifier.tree_of`), if any."""
    derived: dict[str, Any] = field(default_factory=dict, repr=False)
    """Views of `data` that several checks share (the Pod model), computed once."""
    item_path: JsonPath = ()
    """Where the object sits in its document: `("items", 2)` for an item of a `kind: List`."""
    directory: str | None = field(default=None, repr=False)
    """The absolute directory of `file`, set on first use (`kube.index.directory_of`):
    a slot, not a key of `derived`, since every object of a run needs it."""

    def pos(self, path: JsonPath) -> tuple[int, int]:
        """Line and column of `path`, or of its nearest ancestor that exists."""
        return self.locate(path)

    def location(self, path: JsonPath) -> Location:
        """The file, line and column the user edits to change `path`."""
        if self.origin is not None:
            return self.origin(path)
        line, column = self.locate(path)
        return Location(self.file, line, column)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.api_version, self.kind, self.name, self.namespace)

    @property
    def api_group(self) -> str:
        """`apps` for `apps/v1`, empty for the core group (`v1`)."""
        api_version = self.api_version or ""
        return api_version.rpartition("/")[0]

    @property
    def annotations(self) -> dict[str, Any]:
        metadata = self.data.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
        return annotations if isinstance(annotations, dict) else {}


@dataclass(frozen=True, slots=True, order=True)
class Finding:
    """What the engine emits: a problem placed in a file, with its rule's severity."""

    file: str
    line: int
    column: int
    rule: str
    severity: str
    message: str
    path: JsonPath = ()
    object: ObjectRef | None = field(default=None, compare=False)
    identity: str | None = field(default=None, compare=False)
    """What of the message identifies the finding for baselines and SARIF
    fingerprints; None: the whole message. Cross-object and loader findings set
    it empty: their messages quote other objects or line numbers, which change
    with edits elsewhere, and their rule, file, object and path say enough."""
    builds: tuple[str, ...] = ()
    """The Kustomize builds the finding was found through (none for plain files)."""
    fix: Fix | None = field(default=None, compare=False)


class Notice(NamedTuple):
    """Something the user should know that is not a rule violation.

    A skipped Helm template, an unknown rule id in a suppression comment, an
    internal error in one check: reported, never silently dropped.
    """

    file: str
    line: int
    message: str
    is_error: bool = False
