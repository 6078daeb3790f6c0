"""Kubernetes resource quantities (apimachinery pkg/api/resource, ParseQuantity).

The grammar, from quantity.go:

    <quantity>     ::= <signedNumber><suffix>
    <number>       ::= <digits> | <digits>.<digits> | <digits>. | .<digits>
    <suffix>       ::= <binarySI> | <decimalExponent> | <decimalSI>
    <binarySI>     ::= Ki | Mi | Gi | Ti | Pi | Ei
    <decimalSI>    ::= n | u | m | "" | k | M | G | T | P | E
    <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>

So `1GB`, `1g`, `512mb` and `1 Gi` are not quantities: the API server refuses
the object. The usual intent is clear enough to suggest both spellings.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:\d+(?:\.\d*)?|\.\d+))"
    r"(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$"
)
_BINARY = {"Ki": 1, "Mi": 2, "Gi": 3, "Ti": 4, "Pi": 5, "Ei": 6}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_MEANT = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([kmgtpe])(i?)b?\s*$", re.IGNORECASE)


class QuantityError(ValueError):
    """Not a quantity; the message says what would be one."""


def parse_quantity(value: object) -> Decimal:
    """The value of a quantity, exact (a Decimal); YAML numbers are quantities too."""
    if isinstance(value, bool):
        raise QuantityError(f"{value!r} is not a quantity")
    if isinstance(value, int | float):
        return Decimal(str(value))
    if not isinstance(value, str):
        raise QuantityError(f"{value!r} is not a quantity")
    match = _QUANTITY.match(value)
    if not match:
        raise QuantityError(_explain(value))
    try:
        number = Decimal(match.group("number"))
    except InvalidOperation as error:  # pragma: no cover - the regex admits only decimals
        raise QuantityError(_explain(value)) from error
    suffix = match.group("suffix") or ""
    if suffix in _BINARY:
        return number * (Decimal(1024) ** _BINARY[suffix])
    if suffix in _DECIMAL:
        return number.scaleb(_DECIMAL[suffix])
    return number.scaleb(int(suffix[1:]))


def _explain(value: str) -> str:
    meant = _MEANT.match(value)
    hint = ""
    if meant:
        number, letter, binary_only = meant.group(1), meant.group(2), meant.group(3)
        decimal = "k" if letter.lower() == "k" else letter.upper()
        binary = f"{number}{letter.upper()}i"
        hint = (
            f" (did you mean {binary}?)"
            if binary_only
            else (f" (did you mean {number}{decimal} or {binary}?)")
        )
    return (
        f"{value!r} is not a quantity{hint}: a quantity is a number with an optional "
        "suffix, Ki Mi Gi Ti Pi Ei (powers of 1024), m k M G T P E (powers of 1000) "
        "or an exponent such as e3"
    )
