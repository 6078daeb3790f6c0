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

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(code: int) -> str:
    char = chr(code)
    if char in _NAMED:
        return _NAMED[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


_UNSAFE = [
    *range(0x00, 0x20),  # C0 controls: newline, escape, bell, ...
    0x7F,
    *range(0x80, 0xA0),  # C1 controls
    *range(0x202A, 0x202F),  # bidi embeddings and overrides
    *range(0x2066, 0x206A),  # bidi isolates
    0x2028,  # line and paragraph separators: newlines to some viewers
    0x2029,
    0xFFFE,  # not characters; forbidden by XML 1.0
    0xFFFF,
    *range(0xD800, 0xE000),  # lone surrogates (from YAML "\ud800" escapes)
]
_TABLE = {code: _escape(code) for code in _UNSAFE}


def printable(text: str) -> str:
    """`text` with every control, bidi or non-character written as an escape."""
    return text.translate(_TABLE)
