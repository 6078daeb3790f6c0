"""Carry a change made on a re-serialised text back onto the original text.

ruamel.yaml re-serialises a whole document: it normalises spacing after
colons, mixed sequence indentation and other details the author never asked
to change. So the fixer serialises each file twice, before and after the
edits, and applies only the difference between the two to the original
lines: every line the edits did not touch stays byte for byte as it was.
"""

from __future__ import annotations

from difflib import SequenceMatcher


def _opcodes(first: list[str], second: list[str]) -> list[tuple[str, int, int, int, int]]:
    return SequenceMatcher(None, first, second, autojunk=False).get_opcodes()


def carry_over(original: list[str], before: list[str], after: list[str]) -> list[str]:
    """`original` with the change from `before` to `after` applied.

    `before` is `original` re-serialised. A changed region of `before` that
    touches a line the serialiser itself rewrote takes that whole region from
    `after`, so nothing is lost, only that line normalised as well.
    """
    align = _opcodes(original, before)
    change = _opcodes(before, after)
    uneven = [(b1, b2) for tag, _, _, b1, b2 in align if tag != "equal"]
    regions: list[list[int]] = []
    for tag, b1, b2, _, _ in change:
        if tag == "equal":
            continue
        for u1, u2 in uneven:
            if (u1 < b2 and b1 < u2) if b1 < b2 else (u1 < b1 < u2):
                b1, b2 = min(b1, u1), max(b2, u2)
        if regions and b1 <= regions[-1][1]:
            regions[-1][1] = max(regions[-1][1], b2)
        else:
            regions.append([b1, b2])
    out: list[str] = []
    cursor = 0
    for b1, b2 in regions:
        out += original[cursor : _map(align, b1, True, at_end=False)]
        out += after[_map(change, b1, False, at_end=False) : _map(change, b2, False, at_end=True)]
        cursor = _map(align, b2, True, at_end=True)
    out += original[cursor:]
    return out


Opcode = tuple[str, int, int, int, int]


def _map(ops: list[Opcode], index: int, from_second: bool, at_end: bool) -> int:
    """Map a line boundary from one side of an alignment to the other.

    `index` is never strictly inside a changed block (the regions are built so).
    A region takes in the lines one side inserts at its edges (the edit's new
    lines), and leaves out the lines the serialiser dropped there (kept as written).
    """
    for tag, i1, i2, j1, j2 in reversed(ops) if at_end else ops:
        start, end, other_start, other_end = (j1, j2, i1, i2) if from_second else (i1, i2, j1, j2)
        if tag == "equal":
            if start < index <= end if at_end else start <= index < end:
                return other_start + (index - start)
            continue
        if start == end and from_second:
            continue  # original lines the serialiser dropped: keep them
        if index == (end if at_end else start):
            return other_end if at_end else other_start
    return ops[-1][2 if from_second else 4] if ops and index else 0
