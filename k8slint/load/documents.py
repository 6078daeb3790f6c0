"""A run's memo of large documents it met before, so that one met again is not
composed and built again.

Trees vendor the same CustomResourceDefinitions in bundles and as single files:
23% of ../shared/corpus's YAML bytes are documents byte-identical to one earlier
in the run, and composing and building them was a fifth of a lint without builds.
A text is cut at its document markers (`---` at column 0, then white space or the
line's end), which libyaml takes as a document boundary wherever they are (a
block scalar ends there; a quoted scalar or a flow collection open across one is
a parse error). Each large document's body (after a bare marker line) is digested;
the memo keeps the plain data of one it built (marshalled: every use gets its own
copy) with its loader issues and objects' positions relative to the body. The
loader composes the text with each remembered body replaced by a null document of
as many lines, so that every other document's marks, and the document indexes,
are those of the whole text.

The memo is the run's (`engine.run._Run`), dropped when its per-file phase ends;
each worker process fills its own.
"""

from __future__ import annotations

import hashlib
import marshal
import mmap
from typing import NamedTuple

MIN_CHARS = 8 * 1024
"""Smaller documents are composed every time: on the corpus, 8 KiB bodies hold
3.8 of the 3.9 MB a 4 KiB threshold finds repeated, in half as many digests."""

MAX_BYTES = 32 * 2**20
"""What the memo may hold (marshalled data); past it, nothing more is remembered.
The corpus's large documents take 6 MiB."""

Issue = tuple[str, int, int, str]
"""A loader issue (rule, line, column, message), its line relative to the body."""


class Remembered(NamedTuple):
    """A large document as the loader made it the first time."""

    data: slice
    """Where the document's plain data (`marshal`) is in the memo's arena."""
    lines: int
    """Line breaks in the body: its stand-in keeps them, so later marks stay true."""
    issues: tuple[Issue, ...]
    objects: tuple[tuple[tuple[str | int, ...], int, int], ...]
    """Each object's path in the data (`()`, or `("items", i)` in a list) and where it
    starts (line relative to the body, column)."""


class Body(NamedTuple):
    """A large document's text in one file."""

    start: int
    end: int
    line: int
    """0-based line of the body's first character (the line after a bare marker)."""
    lines: int
    """Line breaks in the body."""
    first: int
    """0-based line where its document starts: the marker's, or the text's first."""
    after: int
    """0-based line where the next document's marker is (past the text's end for
    the last: it may not end with a line break)."""
    marked: bool
    """The body starts with its marker line (one that holds more than `---`)."""
    digest: bytes


class Plan:
    """How one text is composed with its remembered documents left out."""

    def __init__(self, source: str, bodies: list[Body], memo: DocumentMemo) -> None:
        self.memo = memo
        self.bodies = bodies
        self.reused: dict[int, Remembered] = {}
        pieces: list[str] = []
        done = 0
        for number, body in enumerate(bodies):
            remembered = memo.recall(body.digest)
            if remembered is not None:
                self.reused[number] = remembered
                stand_in = ("--- null" if body.marked else "null") + "\n" * remembered.lines
                pieces += (source[done : body.start], stand_in)
                done = body.end
        self.text = "".join((*pieces, source[done:])) if pieces else source
        self._next = 0

    def body_at(self, line: int) -> tuple[Body, Remembered | None] | None:
        """The large body that holds 0-based `line`, where a document's root starts
        (they come in order), and what the memo has of it. An empty document's root
        is marked at the next marker: the caller makes sure (`is_stand_in`)."""
        bodies = self.bodies
        number = self._next
        while number < len(bodies) and bodies[number].after <= line:
            number += 1
        self._next = number
        if number == len(bodies) or line < bodies[number].line:
            return None
        return bodies[number], self.reused.get(number)


class DocumentMemo:
    """The large documents a run has built, by the digest of their text."""

    def __init__(self, limit: int = MAX_BYTES) -> None:
        self._known: dict[bytes, Remembered] = {}
        self._arena = _anonymous(max(limit, 1))
        """The data, in an anonymous mapping rather than the heap: its pages go back
        to the system with the memo (bytes objects left their 6 MiB in the process's
        peak, which comes later, in the cross-object phase)."""
        self._used = 0

    def plan(self, source: str) -> Plan | None:
        """How to compose `source`; None for the whole text as it is: nothing large
        in it, or a text whose cut at markers is not certainly the same documents."""
        if len(source) < MIN_CHARS or _doubtful(source):
            return None
        bodies = _bodies(source)
        return Plan(source, bodies, self) if bodies else None

    def recall(self, digest: bytes) -> Remembered | None:
        return self._known.get(digest)

    def remember(
        self,
        body: Body,
        data: bytes,
        issues: tuple[Issue, ...],
        objects: tuple[tuple[tuple[str | int, ...], int, int], ...],
    ) -> None:
        end = self._used + len(data)
        if end > len(self._arena) or body.digest in self._known:
            return
        self._arena[self._used : end] = data
        self._known[body.digest] = Remembered(slice(self._used, end), body.lines, issues, objects)
        self._used = end

    def data(self, remembered: Remembered) -> object:
        """A fresh copy of a remembered document's data."""
        with memoryview(self._arena) as arena:
            return marshal.loads(arena[remembered.data])

    def __len__(self) -> int:
        return len(self._known)


def _anonymous(size: int) -> mmap.mmap:
    """Private memory (mmap's default is shared: forked workers would write into
    each other's memo)."""
    if hasattr(mmap, "MAP_PRIVATE"):
        return mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    return mmap.mmap(-1, size)  # pragma: no cover - Windows: a process's own


def _doubtful(source: str) -> bool:
    """Whether a cut at markers might not give the whole text's documents: a
    directive (`%TAG` applies to the next document), a byte order mark (libyaml
    skips one at a line's start, moving the line's columns), or line breaks other
    than LF and CRLF (libyaml counts them as lines, and a marker after one is a
    boundary; we count LFs). A `...` marker is no doubt: libyaml wants `---` before
    the next document, so it cannot start one within a body. Only memchr scans
    for the common text (a two-character `find` took 14 ms on the corpus)."""
    if "\ufeff" in source or "\x85" in source or "\u2028" in source or "\u2029" in source:
        return True
    if "\r" in source and source.count("\r") != source.count("\r\n"):
        return True
    at = source.find("%")
    while at >= 0:
        if at == 0 or source[at - 1] == "\n":
            return True
        at = source.find("%", at + 1)
    return False


def _bodies(source: str) -> list[Body]:
    """The large documents' bodies, with lines (LFs before them) counted once."""
    cuts = [0] if _marker_at(source, 0) else []
    at = source.find("\n---")
    while at >= 0:
        if _marker_at(source, at + 1):
            cuts.append(at + 1)
        at = source.find("\n---", at + 4)
    starts = cuts if cuts and cuts[0] == 0 else [0, *cuts]
    bodies: list[Body] = []
    line = counted = 0
    for number, start in enumerate(starts):
        last = number + 1 == len(starts)
        end = len(source) if last else starts[number + 1]
        if end - start < MIN_CHARS:
            continue
        first = line + source.count("\n", counted, start)
        line, counted = first + source.count("\n", start, end), end
        body = _body(source, start, end, first, marker=start > 0 or starts is cuts)
        if body is not None:
            bodies.append(body._replace(lines=line - body.line, after=line + last))
    return bodies


def _body(source: str, start: int, end: int, first: int, marker: bool) -> Body | None:
    """The chunk's body: after its marker line when that holds nothing else."""
    body_start, body_line, marked = start, first, marker
    if marker:
        newline = source.find("\n", start, end)
        if newline >= 0 and not source[start + 3 : newline].strip(" \t\r"):
            body_start, body_line, marked = newline + 1, first + 1, False
    if end - body_start < MIN_CHARS:
        return None
    digest = hashlib.sha256(source[body_start:end].encode("utf-8", "surrogatepass")).digest()
    return Body(body_start, end, body_line, 0, first, 0, marked, digest)


def _marker_at(source: str, at: int) -> bool:
    """A document marker at `at` (a line's start): `---`, then white space or the end."""
    return source.startswith("---", at) and source[at + 3 : at + 4] in " \t\r\n"
