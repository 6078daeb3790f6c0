"""One way to show text that came from the input, for every report format.

Keys, values, file names and object names come from the linted files, and a
file can hold any character: a newline in a key would let a finding print a
line of its own (in a CI log, a `::warning ...::` workflow command of its
choosing), an escape sequence would restyle or erase the terminal, a bidi
control would reorder what the reader sees, and XML 1.0 (JUnit) forbids most
control characters outright. Every format passes such text through
`printable`, which writes those characters as Python-style escapes (`\\n`,
`\\x01`, `\\u202e`) so the reader still sees exactly what the file holds.
"""

from __future__ import annotations

import functools

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(code: int) -> str:
    char = chr(code)
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_UNSAFE = (
    range(0x00, 0x20),  # C0 controls: newline, escape, bell, ...
    range(0x7F, 0xA0),  # DEL and the C1 controls
    range(0x202A, 0x202F),  # bidi embeddings and overrides
    range(0x2066, 0x206A),  # bidi isolates
    range(0x2028, 0x202A),  # line and paragraph separators: newlines to some viewers
    range(0xFFFE, 0x10000),  # not characters; forbidden by XML 1.0
    range(0xD800, 0xE000),  # lone surrogates (from YAML "\ud800" escapes)
)


@functools.cache
def _table() -> dict[int, str]:
    """The escapes by code point, made on first use: 2,200 entries (mostly lone
    surrogates) that a run with nothing to show never looks at."""
    return {code: _escape(code) for codes in _UNSAFE for code in codes}


def printable(text: str) -> str:
    """`text` with every control, bidi or non-character written as an escape."""
    return text.translate(_table())
