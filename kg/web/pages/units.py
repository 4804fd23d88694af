"""Amounts as people write them: grouped digits and a unit ("1,529 km", "USD 2,037,000,000")."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from kg.vocab import CURRENCY, UNIT, compact
from kg.web.pages.reader import Term

SYMBOLS = {UNIT + "KiloM": "km", UNIT + "M": "m", UNIT + "PERCENT": "%"}
"""Units written after the number; currencies (``cur:USD``) are written before it by code."""


def grouped(text: str, language: str) -> str:
    r"""Return a number with its digits grouped by thousands (a comma; a thin space in Spanish).

    >>> grouped("2037000000", "en"), grouped("1529.5", "es")
    ('2,037,000,000', '1\u202f529,5')
    """
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text
    written = f"{number:,}"
    if language == "es":
        return written.replace(",", "\u202f").replace(".", ",")
    return written


def amount(value: Term, unit: Term | None, language: str = "en") -> str:
    """Return an amount with its unit or currency.

    >>> amount(Term("literal", "1529"), Term("uri", UNIT + "KiloM"))
    '1,529 km'
    >>> amount(Term("literal", "1683000000"), Term("uri", CURRENCY + "USD"))
    'USD 1,683,000,000'
    """
    number = grouped(value.value, language)
    if unit is None or not unit.is_iri:
        return number
    if unit.value.startswith(CURRENCY):
        return f"{unit.value[len(CURRENCY) :]} {number}"
    return f"{number} {SYMBOLS.get(unit.value, compact(unit.value))}"
