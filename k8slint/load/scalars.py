"""Type plain YAML scalars the way Kubernetes' decoder (go-yaml v2, YAML 1.1) does.

Kubernetes reads manifests with YAML 1.1 rules, so `value: yes` is the boolean
true and `mode: 0755` is the octal integer 493. Linting with YAML 1.2 rules
would hide exactly the mistakes kubectl later rejects, so we type scalars here
ourselves instead of trusting a generic resolver.
"""

from __future__ import annotations

import math
import re

_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})
_FALSE = frozenset({"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})
_NULL = frozenset({"", "~", "null", "Null", "NULL"})
_SPECIAL_FLOATS = {
    ".inf": math.inf,
    ".Inf": math.inf,
    ".INF": math.inf,
    "+.inf": math.inf,
    "+.Inf": math.inf,
    "+.INF": math.inf,
    "-.inf": -math.inf,
    "-.Inf": -math.inf,
    "-.INF": -math.inf,
    ".nan": math.nan,
    ".NaN": math.nan,
    ".NAN": math.nan,
}
_INT = re.compile(r"[-+]?(0b[01_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|0[0-7_]*|[1-9][0-9_]*)")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
WORDS: dict[str, object] = {
    **dict.fromkeys(_TRUE, True),
    **dict.fromkeys(_FALSE, False),
    **dict.fromkeys(_NULL, None),
}
"""The plain scalars that are not strings and do not start like a number."""
NUMBER_STARTS = frozenset("0123456789+-.")
"""First characters of every number YAML 1.1 types (`0755`, `-1`, `.5`, `+.inf`).

A plain scalar is a string when it is not in `WORDS` and does not start with
one of these: the loader tests that inline for every key and value, and only
the rest come here."""


def resolve_plain(text: str) -> object:
    """Return the Python value of an unquoted scalar, typed as YAML 1.1 does."""
    if text in WORDS:
        return WORDS[text]
    if text[0] not in NUMBER_STARTS:
        return text
    if _INT.fullmatch(text):
        return _parse_int(text) if len(text) <= _SHORT_INT else _parse_long_int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    special = _SPECIAL_FLOATS.get(text)
    if special is not None:
        return special
    return text


def _parse_int(text: str) -> int:
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    if digits.startswith("0b"):
        return sign * int(digits[2:], 2)
    if digits.startswith("0x"):
        return sign * int(digits[2:], 16)
    if digits.startswith("0o"):
        return sign * int(digits[2:], 8)
    if len(digits) > 1 and digits.startswith("0"):
        return sign * int(digits[1:], 8)
    return sign * int(digits)


_SHORT_INT = 18
"""Any integer of this many characters fits in int64: the fast path."""
_INT64 = range(-(2**63), 2**64)
"""What go-yaml keeps as an integer: int64, or uint64 for positive values."""


def _parse_long_int(text: str) -> object:
    """A long integer as go-yaml reads it: beyond int64 and uint64 it becomes a
    float when it is written like one (decimal digits), and beyond float64 it
    stays a string. Python's own int() would also refuse more than 4,300 digits."""
    digits = text.replace("_", "")
    try:
        value = _parse_int(text)
    except ValueError:  # more than sys.get_int_max_str_digits() decimal digits
        value = None
    if value is not None and value in _INT64:
        return value
    if not _FLOAT.fullmatch(digits):
        return text
    number = float(digits)
    return text if math.isinf(number) else number


def resolve_tagged(tag: str, text: str) -> object:
    """Honour an explicit standard tag (`!!str 3`, `!!int "3"`); others keep their text."""
    suffix = tag.rpartition(":")[2]
    if suffix == "str":
        return text
    if suffix in ("int", "float", "bool", "null"):
        value = resolve_plain(text)
        expected = {"int": int, "float": (int, float), "bool": bool, "null": type(None)}[suffix]
        if isinstance(value, expected) and not (suffix != "bool" and isinstance(value, bool)):
            return float(value) if suffix == "float" else value
    return text
