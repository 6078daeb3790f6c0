"""Bytes to Kubernetes objects, keeping where in the file every value came from.

The lint path composes node trees with libyaml, with a resolver that does
nothing: resolving every scalar in Python was most of the composing time, and
we must type scalars ourselves anyway (see `scalars`). libyaml is reached
through PyYAML's binding when it has one: on ../shared/corpus it composes in
1.2 s where ruamel.yaml.clib's binding takes 2.9 s, because ruamel builds much
heavier node objects. ruamel.yaml.clib is the fallback (same libyaml, same
marks) and ruamel.yaml stays the round-trip library for `--fix`. The nodes stay
with each Resource so that a finding's path becomes a line and column only
when a finding needs one.

Nothing here raises on bad input: a file that cannot be read, decoded or
parsed becomes a `LoadIssue`, and the documents before the error are kept.
"""

from __future__ import annotations

import codecs
import marshal
import os
import re
import zlib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from sys import intern
from typing import Any, NamedTuple

try:  # PyYAML with libyaml: the fastest composer (see the module docstring)
    from yaml import MarkedYAMLError, YAMLError
    from yaml._yaml import CParser
    from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
    from yaml.reader import ReaderError
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from _ruamel_yaml import CParser
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
    from ruamel.yaml.reader import ReaderError

from k8slint.load.documents import Body, DocumentMemo, Plan, Remembered
from k8slint.load.reading import NotRegularFile, TooLarge, read_limited
from k8slint.load.scalars import NUMBER_STARTS as _NUMBER_STARTS
from k8slint.load.scalars import WORDS as _WORDS
from k8slint.load.scalars import resolve_plain, resolve_tagged
from k8slint.model import JsonPath, Resource

MAX_FILE_BYTES = 16 * 1024 * 1024
"""Larger files are reported and skipped: a file's node trees take about 60 times
its size while its objects are checked (README, "What is linted"), so this bounds
the run's memory. The largest real manifests (CRD bundles) are a few MiB."""

MAX_EXPANDED_NODES = 1_000_000
"""Values a document may hold once aliases are expanded: stops 'billion laughs'."""

MAX_DEPTH = 100
"""Nesting a document may have. The deepest real objects (CRD schemas) nest about
40 levels; every consumer of the data (the builder, jsonschema, the checks)
recurses, so a deeper document is reported and dropped here, before any of
them sees it, instead of exhausting Python's recursion limit in one of them."""

MAX_DOCUMENTS = 100_000
"""Documents a file may hold; beyond, the rest of the file is reported and not linted."""

_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_TAG = "!plain"
_MERGE_KEY = "<<"


class LoadIssue(NamedTuple):
    """A finding the loader itself makes (rule is one of the document rules)."""

    rule: str
    line: int
    column: int
    message: str


class SourceNodes:
    """The node trees of one file's documents, kept only while they are cheap to keep.

    Node trees take about twice the memory of the plain data, and a file's text
    as much again as its objects' data without CRDs (issue 11: 18 of 76 MiB the
    corpus keeps for its cross-object phase). The engine releases both once a
    file's per-object checks are done; a later finding (from a cross-object
    check) reads that one file again and recomposes it, keeping the trees only
    while it is among the last few files recomposed (`_Recomposed`). A file
    read from disk keeps only its path and a digest of its bytes, so that a
    file edited in between is noticed (its findings then point at the
    document's start) instead of answered with positions of other text.
    """

    __slots__ = ("_digest", "_parts", "_path", "_roots", "_source")

    def __init__(self, source: str) -> None:
        self._source: str | None = source
        self._roots: list[Node | None] | None = []
        self._parts: dict[int, Body] = {}
        """Documents the run's memo made (without a tree): their text, composed alone
        for a position (a whole bundle's for one finding was 50 ms on the corpus),
        its marks then relative to the body's first line."""
        self._path: str | None = None
        self._digest = b""

    def read_from(self, path: str, raw: bytes) -> None:
        """The text came from the regular file `path`: it can be read again."""
        self._path, self._digest = path, _digest(raw)

    def add(self, root: Node | None, body: Body | None = None) -> None:
        """A document's tree; or where the text of one the run's memo made is."""
        if self._roots is not None:
            if body is not None:
                self._parts[len(self._roots)] = body
            self._roots.append(root)

    def root(self, index: int) -> Node | None:
        """The document's tree; one the memo made has marks relative to its body
        (`locate` adds its line). Composed alone before the file is released, it
        goes then: nothing for `_RECOMPOSED` to bound."""
        roots = self._roots
        if roots is not None and index < len(roots) and roots[index] is None:
            body = self._parts.get(index)
            if body is not None:
                alone = _compose_roots(self._text()[body.start : body.end])
                roots[index] = alone[0] if alone else None
                return roots[index]
        if roots is None or (index < len(roots) and roots[index] is None):
            roots = self._roots = _compose_roots(self._text())
            self._parts = {}
            _RECOMPOSED.keep(self)
        return roots[index] if index < len(roots) else None

    def locate(self, index: int, path: JsonPath) -> tuple[int, int]:
        """Where `path` is in the document (`locate`)."""
        root = self.root(index)
        if root is None:
            return 1, 1
        line, column = locate(root, path)
        body = self._parts.get(index)
        return (line + body.line, column) if body is not None else (line, column)

    def drop(self, index: int) -> None:
        """The document's objects are checked: its tree goes now, not with the
        file's (freed while still in the cache, its memory reused by the next
        document's). Asked for again, the file is composed again."""
        if self._roots is not None and index < len(self._roots):
            self._roots[index] = None

    def _text(self) -> str:
        if self._source is not None:
            return self._source
        try:
            raw = read_limited(self._path or "", MAX_FILE_BYTES)
            if _digest(raw) == self._digest:
                return _json_tabs_as_spaces(decode(raw), self._path or "")
        except (OSError, UnicodeDecodeError):
            pass
        return ""

    def release(self) -> None:
        self._roots = None
        self._parts = {}
        if self._path is not None:
            self._source = None

    def __getstate__(self) -> tuple[str | None, str | None, bytes]:
        """Only the text (or where to read it) travels between processes; nodes
        are recomposed if needed."""
        return self._source, self._path, self._digest

    def __setstate__(self, state: tuple[str | None, str | None, bytes]) -> None:
        self._source, self._path, self._digest = state
        self._roots = None
        self._parts = {}


class _Recomposed:
    """The few files composed again for positions, which keep their node trees:
    findings come file by file, so the next lookup is most often in one of them,
    and all the files a run reports on (thousands in a big tree) would hold
    their trees to the end."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._files: deque[SourceNodes] = deque()

    def keep(self, nodes: SourceNodes) -> None:
        self._files.append(nodes)
        if len(self._files) > self._size:
            self._files.popleft().release()


_RECOMPOSED = _Recomposed(16)


def _digest(raw: bytes) -> bytes:
    """What tells a file edited since it was loaded: its length and CRC-32. Not a
    cryptographic digest: it guards against an accident (an editor saving in
    between), not an adversary, and every file of a run pays for it (blake2b
    was 1% of a lint's CPU, CRC-32 a fifth of that)."""
    return len(raw).to_bytes(8, "big") + zlib.crc32(raw).to_bytes(4, "big")


class _Locator(NamedTuple):
    """`Resource.locate` for one document (or `kind: List` item) of a file."""

    nodes: SourceNodes
    index: int
    prefix: JsonPath
    start: tuple[int, int]
    """Where the object itself starts, kept from loading: the run's summary asks it
    of objects no schema validates, long after their file's nodes were released."""

    def __call__(self, path: JsonPath) -> tuple[int, int]:
        if not path:
            return self.start
        return self.nodes.locate(self.index, self.prefix + path)


def _compose_roots(source: str) -> list[Node | None]:
    """The documents of a text that was loaded before (so errors are already reported)."""
    roots: list[Node | None] = []
    composer = _Composer(source)
    try:
        while composer.check_node():
            roots.append(composer.get_node())
    except (YAMLError, ValueError):
        pass
    finally:
        composer.dispose()
    return roots


@dataclass(slots=True)
class LoadedFile:
    """Everything one file yielded: objects, loader findings and notices."""

    path: str
    text: str = ""
    nodes: SourceNodes = field(default_factory=lambda: SourceNodes(""))
    resources: list[Resource] = field(default_factory=list)
    issues: list[LoadIssue] = field(default_factory=list)
    notices: list[tuple[int, str]] = field(default_factory=list)
    documents: int = 0
    parse_failed: bool = False
    """The text stopped parsing somewhere (the objects before that point are kept)."""


class _Composer(CParser):  # type: ignore[misc]
    """libyaml composer whose resolver only marks plain scalars.

    Quoted scalars are strings; plain ones are typed later by `resolve_plain`,
    with Kubernetes' YAML 1.1 rules. Explicit tags are kept by libyaml itself.
    """

    def descend_resolver(self, parent: Any, index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            return _PLAIN_TAG if implicit[0] else _STR_TAG
        return "tag:yaml.org,2002:map" if kind is MappingNode else "tag:yaml.org,2002:seq"


class _DocumentError(ValueError):
    """A problem that makes one document unusable (alias bomb, recursive alias)."""

    def __init__(self, node: Node, message: str) -> None:
        super().__init__(message)
        self.node = node


class _Builder:
    """Turns one document's node tree into plain data, reporting duplicate keys.

    Aliased collections are built once and shared; each reuse still adds the
    collection's size to the document's expanded size, so an alias bomb is
    refused instead of exhausting the run. This is the loader's hot loop:
    scalars are handled inline rather than through a call per value.
    """

    def __init__(self) -> None:
        self.duplicates: list[tuple[Node, str]] = []
        self.positional = False
        """A complex key's text (which names its line) is in the data."""
        self._built: dict[int, tuple[Any, int, int]] = {}
        """Built collections by node id: value, expanded size, height."""
        self._building: set[int] = set()
        self._expanded = 0
        self._depth = 0
        self._deepest = 0

    def build(self, node: Node) -> Any:
        return self._node_value(node)

    def _tree_value(self, node: Node) -> Any:
        if node.__class__ is ScalarNode:
            return _scalar(node)
        self._grow(node, len(node.value) + 1)
        depth = self._depth = self._depth + 1
        self._reach(node, depth)
        if node.__class__ is SequenceNode:
            value: Any = [
                _scalar(child) if child.__class__ is ScalarNode else self._tree_value(child)
                for child in node.value
            ]
        else:
            value = self._mapping(node)
        self._depth = depth - 1
        return value

    def _value(self, node: Node) -> Any:
        if node.__class__ is ScalarNode:
            return _scalar(node)
        key = id(node)
        done = self._built.get(key)
        if done is not None:  # an alias: built once, but counted and measured at each use
            self._grow(node, done[1])
            self._reach(node, self._depth + done[2])
            return done[0]
        if key in self._building:
            raise _DocumentError(node, "an alias refers to the node that contains it")
        self._building.add(key)
        before = self._expanded
        self._grow(node, len(node.value) + 1)
        depth = self._depth = self._depth + 1
        self._reach(node, depth)
        outer_deepest, self._deepest = self._deepest, depth
        if node.__class__ is SequenceNode:
            value: Any = [
                _scalar(child) if child.__class__ is ScalarNode else self._value(child)
                for child in node.value
            ]
        else:
            value = self._mapping(node)
        height = self._deepest - depth + 1
        if outer_deepest > self._deepest:
            self._deepest = outer_deepest
        self._depth = depth - 1
        self._building.discard(key)
        self._built[key] = (value, self._expanded - before, height)
        return value

    _node_value = _value
    """How a collection's children are built (`_TreeBuilder`: without aliases)."""

    def _reach(self, node: Node, depth: int) -> None:
        """Note that the data goes `depth` levels deep here; refuse past `MAX_DEPTH`."""
        if depth > self._deepest:
            self._deepest = depth
        if depth > MAX_DEPTH:
            raise _DocumentError(
                node,
                f"nesting deeper than {MAX_DEPTH} levels; this document is not linted "
                "(no Kubernetes object nests this deep)",
            )

    def _mapping(self, node: MappingNode) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        merged: list[Node] = []
        for key_node, value_node in node.value:
            key = key_node.value
            tag = key_node.tag
            if tag is _PLAIN_TAG and key not in _WORDS and key[0] not in _NUMBER_STARTS:
                if key == _MERGE_KEY:
                    merged.append(value_node)
                    continue
            elif tag is not _STR_TAG:
                key = key_text(key_node)
                if key_node.__class__ is not ScalarNode:
                    self.positional = True
            if key in mapping:
                self.duplicates.append((key_node, key))
            mapping[intern(key)] = (
                _scalar(value_node)
                if value_node.__class__ is ScalarNode
                else self._node_value(value_node)
            )
        for merge_node in merged:
            sources = merge_node.value if isinstance(merge_node, SequenceNode) else [merge_node]
            for source in sources:
                value = self._node_value(source)
                if not isinstance(value, dict):
                    # go-yaml, which kubectl uses, refuses the whole file here.
                    raise _DocumentError(
                        source,
                        "a merge key (<<) takes a mapping or a list of mappings, "
                        f"not {_kind_of_value(value)}",
                    )
                for merged_key, merged_value in value.items():
                    mapping.setdefault(merged_key, merged_value)
        return mapping

    def _grow(self, node: Node, size: int) -> None:
        self._expanded += size
        if self._expanded > MAX_EXPANDED_NODES:
            raise _DocumentError(
                node,
                f"aliases expand this document past {MAX_EXPANDED_NODES:,} values; "
                "refusing to expand it (a 'billion laughs' document?)",
            )


class _TreeBuilder(_Builder):
    """A `_Builder` for a text without aliases (`may_alias`): no node can be reached
    twice, so the cheaper walk, with the same size and depth
    limits. A subclass, not a bound method kept on the instance: that would be a
    reference cycle, and with the collector off during a run (`Engine.lint`) every
    document's memo of built values (CRD schemas before they are packed) would
    stay until the run ends."""

    _node_value = _Builder._tree_value


def _kind_of_value(value: Any) -> str:
    if isinstance(value, list):
        return "a list of other things"
    return "null" if value is None else f"the scalar {value!r}"


def _scalar(node: ScalarNode) -> Any:
    """`scalar_value`, with the common cases (a quoted string, a plain word) first:
    the builder calls this for every scalar of every document."""
    tag = node.tag
    if tag is _PLAIN_TAG:
        text = node.value
        if text not in _WORDS and text[0] not in _NUMBER_STARTS:
            return intern(text) if len(text) <= _SHARED_LENGTH else text
        return resolve_plain(text)
    if tag is _STR_TAG:
        text = node.value
        return intern(text) if len(text) <= _SHARED_LENGTH else text
    return scalar_value(node)


_SHARED_LENGTH = 64
"""Strings up to this long are shared by every object that holds them (labels,
names, image tags, `TCP`, `IfNotPresent`: most values repeat across a tree),
as mapping keys are; longer ones (scripts, certificates) rarely repeat."""


def scalar_value(node: ScalarNode) -> Any:
    tag = node.tag
    if tag == _PLAIN_TAG:
        return resolve_plain(node.value)
    if tag == _STR_TAG:
        return node.value
    return resolve_tagged(tag, node.value)


def key_text(node: Node) -> str:
    """A mapping key as Kubernetes' YAML-to-JSON step names it (always a string)."""
    if isinstance(node, ScalarNode):
        value = scalar_value(node)
        if isinstance(value, bool):
            return "true" if value else "false"
        if value is None:
            return "null"
        return str(value)
    return f"<complex key at line {node.start_mark.line + 1}>"


def locate(root: Node, path: JsonPath) -> tuple[int, int]:
    """1-based line and column of `path` in `root`: the key for a mapping entry,
    the item for a sequence entry, the nearest existing ancestor otherwise."""
    mark = root.start_mark
    node = root
    for step in path:
        child: Node | None = None
        if isinstance(node, MappingNode) and isinstance(step, str):
            entry = _find_entry(node, step)
            if entry is not None:
                mark = entry[0].start_mark
                child = entry[1]
        elif (
            isinstance(node, SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value)
        ):
            child = node.value[step]
            mark = child.start_mark
        if child is None:
            break
        node = child
    return mark.line + 1, mark.column + 1


def _find_entry(node: MappingNode, key: str, depth: int = 0) -> tuple[Node, Node] | None:
    found = None
    merges = []
    for key_node, value_node in node.value:
        text = key_text(key_node)
        if text == key:
            found = (key_node, value_node)
        elif text == _MERGE_KEY:
            merges.append(value_node)
    if found is not None or depth > 8:
        return found
    for merge_node in merges:
        sources = merge_node.value if isinstance(merge_node, SequenceNode) else [merge_node]
        for source in sources:
            if isinstance(source, MappingNode):
                entry = _find_entry(source, key, depth + 1)
                if entry is not None:
                    return entry
    return None


def decode(raw: bytes) -> str:
    """Decode as Kubernetes tooling does: UTF-8 (BOM allowed), or UTF-16/32 with a BOM."""
    for bom, encoding in (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if raw.startswith(bom):
            return raw.decode(encoding)
    return raw.decode("utf-8-sig")


Loaded = Callable[[LoadedFile, list[Resource]], bool]
"""Told each document's objects as soon as they are made (`load_text`'s `each`):
True when it is done with them, so that the document's node tree can go."""


def load_file(
    path: str,
    display: str | None = None,
    named: bool = False,
    each: Loaded | None = None,
    memo: DocumentMemo | None = None,
) -> LoadedFile:
    """Read and load one file; every failure becomes an issue on that file.

    `named`: the user named this path, so a pipe (`<(helm template .)`) or a
    character device is read too, up to the size limit; in a walked tree only
    regular files are (discovery skips the rest with a notice). `each`, `memo`:
    see `load_text`.
    """
    shown = display or path
    try:
        raw = read_limited(path, MAX_FILE_BYTES, streams_allowed=named)
    except TooLarge as error:
        return _unread(
            shown,
            f"file is over the {MAX_FILE_BYTES // 2**20} MiB limit"
            f"{_size_seen(error.size)}; not linted",
        )
    except NotRegularFile as error:
        return _unread(shown, f"{error}; not linted")
    except OSError as error:
        return _unread(shown, f"cannot read file: {error.strerror or error}")
    loaded = load_bytes(raw, shown, each, memo)
    if not named or os.path.isfile(path):
        loaded.nodes.read_from(path, raw)
    return loaded


def _size_seen(size: int) -> str:
    """The size when `stat` told it (a stream is only known to be too long)."""
    return f" ({size / 2**20:.0f} MiB)" if size > MAX_FILE_BYTES + 1 and size >= 2**20 else ""


def _unread(shown: str, message: str) -> LoadedFile:
    loaded = LoadedFile(shown)
    loaded.issues.append(LoadIssue("yaml-syntax", 1, 1, message))
    return loaded


def load_bytes(
    raw: bytes, display: str, each: Loaded | None = None, memo: DocumentMemo | None = None
) -> LoadedFile:
    loaded = LoadedFile(display)
    if b"\0" in raw[:8192] and not raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        loaded.issues.append(LoadIssue("yaml-syntax", 1, 1, "binary file (NUL bytes); not YAML"))
        return loaded
    try:
        text = decode(raw)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        if error.encoding.startswith("utf-8"):
            what = (
                f"not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}); "
                "Kubernetes reads manifests as UTF-8"
            )
        else:  # a UTF-16/32 byte order mark, then bytes that are not that encoding
            encoding = (
                error.encoding.upper().replace("_", "-").removesuffix("-LE").removesuffix("-BE")
            )
            what = (
                f"starts with a {encoding} byte order mark but is not valid {encoding} "
                f"({error.reason} at offset {error.start})"
            )
        loaded.issues.append(LoadIssue("yaml-syntax", line, 1, what))
        return loaded
    return load_text(text, display, each, memo)


def load_text(
    text: str, display: str, each: Loaded | None = None, memo: DocumentMemo | None = None
) -> LoadedFile:
    """The file's documents as objects. `each` is told each document's objects
    before the next document is composed (outside the parse's error handling: what
    it raises is its own), and drops the document's node tree when it is done.
    `memo`: the run's large documents, made once (`documents`)."""
    loaded = LoadedFile(display, text)
    source = _json_tabs_as_spaces(text, display)
    loaded.nodes = SourceNodes(source)
    aliases = may_alias(source)
    plan = memo.plan(source) if memo is not None else None
    if plan is None:
        _compose(loaded, _Composer(source), aliases, each, None)
    elif not _compose(loaded, _Composer(plan.text), aliases, each, plan):
        # A parse error in a text composed without its remembered documents: the
        # whole text's composer (those before it are the same) says it as ever.
        _compose(loaded, _Composer(source), aliases, each, None, skip=loaded.documents)
    return loaded


def _compose(
    loaded: LoadedFile,
    composer: _Composer,
    aliases: bool,
    each: Loaded | None,
    plan: Plan | None,
    skip: int = 0,
) -> bool:
    """Add the documents `composer` makes after the first `skip`; False when it
    stopped at a parse error that it left unreported (see `_next_document`)."""
    try:
        for _ in range(skip):
            if not _skip_document(loaded, composer):
                return True
        first = len(loaded.resources)
        while (added := _next_document(loaded, composer, aliases, plan)) is True:
            if each is not None and each(loaded, loaded.resources[first:]):
                loaded.nodes.drop(loaded.documents - 1)
            first = len(loaded.resources)
    finally:
        composer.dispose()
    return added is not None


def _skip_document(loaded: LoadedFile, composer: _Composer) -> bool:
    """Compose a document already added (by a composer of other text)."""
    try:
        if composer.check_node():
            composer.get_node()
            return True
    except (YAMLError, ValueError) as error:  # pragma: no cover - the same text parsed
        _report_parse_error(loaded, error, loaded.text)
        loaded.parse_failed = True
    return False


def _next_document(
    loaded: LoadedFile, composer: _Composer, aliases: bool, plan: Plan | None
) -> bool | None:
    """Compose and add the next document; False at the end of the text or at a
    parse error (then reported); None at a parse error in a text with remembered
    documents left out (`Plan`): the file's own text must say it."""
    try:
        if not composer.check_node():
            return False
        if loaded.documents == MAX_DOCUMENTS:
            _report_too_many_documents(loaded, composer)
            return False
        root = composer.get_node()
        large = None if plan is None else plan.body_at(root.start_mark.line)
        if large is None:
            loaded.nodes.add(root)
            _add_document(loaded, root, loaded.documents, aliases)
        elif large[1] is None:
            loaded.nodes.add(root)
            _add_document(loaded, root, loaded.documents, aliases, large[0], plan)
        elif _is_stand_in(root, large[0]):
            loaded.nodes.add(None, large[0])
            body, remembered = large
            data = plan.memo.data(remembered)
            _add_remembered(loaded, loaded.documents, body, remembered, data)
        else:  # an empty document before it, marked at its marker
            loaded.nodes.add(root)
            _add_document(loaded, root, loaded.documents, aliases)
    except (YAMLError, ValueError) as error:
        if plan is not None and plan.reused:
            return None
        _report_parse_error(loaded, error, loaded.text)
        loaded.parse_failed = True
        return False
    loaded.documents += 1
    return True


def _report_too_many_documents(loaded: LoadedFile, composer: _Composer) -> None:
    mark = composer.peek_event().start_mark
    loaded.issues.append(
        LoadIssue(
            "yaml-syntax",
            mark.line + 1,
            mark.column + 1,
            f"more than {MAX_DOCUMENTS:,} documents in one file; the rest is not linted "
            "(split the file)",
        )
    )


def _json_tabs_as_spaces(text: str, display: str) -> str:
    """libyaml refuses tab indentation, which JSON allows; a tab outside a JSON
    string is only white space, and inside one it is invalid JSON anyway, so
    replacing it keeps every column where it was."""
    if "\t" not in text:
        return text
    if display.endswith(".json") or text.lstrip()[:1] in ("{", "["):
        return text.replace("\t", " ")
    return text


def _report_parse_error(loaded: LoadedFile, error: Exception, text: str) -> None:
    if isinstance(error, MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        line, column = mark.line + 1, mark.column + 1
        content = text.rstrip()
        if mark.index >= len(content):
            # The parser ran off the end of the file looking for a closing bracket
            # or quote: point where the unclosed construct opens, or else at the
            # last character, never at a line past the end of the file.
            opened = error.context_mark
            if opened is not None and opened.index < len(content):
                line, column = opened.line + 1, opened.column + 1
            else:
                line = content.count("\n") + 1
                column = len(content) - content.rfind("\n")
        message = error.problem or str(error)
        if error.context:
            message = f"{message} ({error.context}"
            if error.context_mark is not None:
                message += f" at line {error.context_mark.line + 1}"
            message += ")"
    elif isinstance(error, ReaderError):
        before = text[: error.position]
        line = before.count("\n") + 1
        column = error.position - (before.rfind("\n") + 1) + 1
        message = f"character {error.character!r} is not allowed in YAML ({error.reason})"
    else:
        line, column, message = 1, 1, str(error).splitlines()[0]
    loaded.issues.append(LoadIssue("yaml-syntax", line, column, message))


def _builder(aliases: bool) -> _Builder:
    """The builder for a text: with alias bookkeeping only where it may have an alias."""
    return _Builder() if aliases else _TreeBuilder()


_ANCHOR = re.compile(r"&([0-9A-Za-z_-]+)")
_ALIAS = re.compile(r"\*([0-9A-Za-z_-]+)")
"""An anchor or alias token and its name, and more: libyaml's names are these
characters (its `IS_ALPHA`), as long as they go, so every real token is matched
whole, and so is text that only looks like one (`&&` in a shell command)."""


def may_alias(text: str) -> bool:
    """Whether some `*name` in `text` may refer to an `&name` there. Only an alias
    reaches a node twice (an undefined one fails to compose), and a mere `&` was
    in most CRD bundles (`&&` in descriptions of commands): those took the
    alias-aware builder, a third slower, for nothing."""
    if "&" not in text or "*" not in text:
        return False
    anchors = set(_ANCHOR.findall(text))
    return bool(anchors) and any(name in anchors for name in _ALIAS.findall(text))


def _is_stand_in(root: Node, body: Body) -> bool:
    """Whether `root` is what `Plan` put in place of a remembered body: no other
    document's root is a plain `null` on the body's first line."""
    return (
        root.__class__ is ScalarNode
        and root.tag is _PLAIN_TAG
        and root.value == "null"
        and root.start_mark.line == body.line
    )


def _add_document(
    loaded: LoadedFile,
    root: Node,
    index: int,
    aliases: bool,
    body: Body | None = None,
    plan: Plan | None = None,
) -> None:
    """Build a document's objects; one from a large `body` the run's memo has not
    seen is remembered (`plan.memo`)."""
    builder = _builder(aliases)
    try:
        data = builder.build(root)
    except _DocumentError as error:
        mark = error.node.start_mark
        loaded.issues.append(LoadIssue("yaml-syntax", mark.line + 1, mark.column + 1, str(error)))
        return
    issues, objects = len(loaded.issues), len(loaded.resources)
    _add_objects(loaded, root, index, data, builder)
    made = loaded.resources[objects:]
    if body is not None and plan is not None and made and not builder.positional:
        _remember(plan.memo, body, data, loaded.issues[issues:], made)


def _add_objects(loaded: LoadedFile, root: Node, index: int, data: Any, builder: _Builder) -> None:
    for key_node, key in builder.duplicates:
        mark = key_node.start_mark
        loaded.issues.append(
            LoadIssue(
                "yaml-duplicate-key",
                mark.line + 1,
                mark.column + 1,
                f"key {key!r} is repeated in this mapping; only the last value is kept, "
                "so the earlier one is silently lost",
            )
        )
    if not isinstance(data, dict) or ("apiVersion" not in data and "kind" not in data):
        return  # not a Kubernetes object: pre-commit hands us every YAML file
    if _is_list(data):
        _add_list_items(loaded, index, root, data["items"])
        return
    loaded.resources.append(_resource(loaded, index, data, (), locate(root, ())))


def _remember(
    memo: DocumentMemo, body: Body, data: Any, issues: list[LoadIssue], objects: list[Resource]
) -> None:
    """Keep what a large document made, its lines relative to its body: made before
    its objects' checks run (they shed bulk from the data)."""
    shift = body.line
    memo.remember(
        body,
        marshal.dumps(data),
        tuple((rule, line - shift, column, message) for rule, line, column, message in issues),
        tuple(
            (resource.item_path, resource.locate.start[0] - shift, resource.locate.start[1])
            for resource in objects
        ),
    )


def _add_remembered(
    loaded: LoadedFile, index: int, body: Body, remembered: Remembered, data: Any
) -> None:
    """A document the run made before, from the same text (`data`: a copy of its
    own, as every object must own its data): its issues and positions moved to
    this body."""
    shift = body.line
    for rule, line, column, message in remembered.issues:
        loaded.issues.append(LoadIssue(rule, line + shift, column, message))
    for path, line, column in remembered.objects:
        item = data["items"][path[1]] if path else data
        loaded.resources.append(_resource(loaded, index, item, path, (line + shift, column)))


def _is_list(data: dict[str, Any]) -> bool:
    """`kind: List` and typed lists (`ConfigMapList`) hold their objects in `items`."""
    kind = data.get("kind")
    return isinstance(kind, str) and kind.endswith("List") and "items" in data


def _add_list_items(loaded: LoadedFile, index: int, root: Node, items: Any) -> None:
    """The objects of a list document; items that cannot be objects are findings."""

    def report(path: JsonPath, message: str) -> None:
        line, column = locate(root, path)
        loaded.issues.append(LoadIssue("list-items-invalid", line, column, message))

    if not isinstance(items, list):
        what = (
            "null, so this list applies nothing"
            if items is None
            else (
                f"{_kind_of_value(items) if not isinstance(items, dict) else 'a mapping'}, "
                "not a list of objects; kubectl cannot decode this list"
            )
        )
        report(("items",), f"items is {what}")
        return
    for item_index, item in enumerate(items):
        prefix: JsonPath = ("items", item_index)
        if isinstance(item, dict):
            loaded.resources.append(_resource(loaded, index, item, prefix, locate(root, prefix)))
        else:
            report(prefix, f"list item is {_kind_of_value(item)}, not an object (a mapping)")


def _resource(
    loaded: LoadedFile, index: int, data: dict[str, Any], prefix: JsonPath, start: tuple[int, int]
) -> Resource:
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = metadata.get("name")
    namespace = metadata.get("namespace")
    api_version = data.get("apiVersion")
    kind = data.get("kind")
    return Resource(
        file=loaded.path,
        doc_index=index,
        api_version=api_version if isinstance(api_version, str) else None,
        kind=kind if isinstance(kind, str) else None,
        name=name if isinstance(name, str) else None,
        namespace=namespace if isinstance(namespace, str) else None,
        data=data,
        locate=_Locator(loaded.nodes, index, prefix, start),
        item_path=prefix,
    )


def parse_yaml(text: str) -> Any:
    """The first document of a YAML text as plain data (for our own files: rules, config)."""
    return parse_yaml_located(text)[0]


def parse_yaml_located(text: str) -> tuple[Any, Callable[[JsonPath], tuple[int, int]]]:
    """Like `parse_yaml`, plus a function from a path in the data to its line and
    column, so errors in our own files (the config) can point at the offending key.
    Raises `YAMLError` (with a `problem_mark`) on a syntax error."""
    composer = _Composer(text)
    try:
        node = composer.get_single_node()
    finally:
        composer.dispose()
    if node is None:
        return None, lambda path: (1, 1)
    return _builder(may_alias(text)).build(node), lambda path: locate(node, path)
