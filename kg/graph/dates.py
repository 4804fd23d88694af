"""The earliest and latest day a date of any precision can mean, so dates compare as xsd:date.

>>> from pyoxigraph import Literal, NamedNode
>>> bounds(Literal("2022-10", datatype=NamedNode(XSD + "gYearMonth")))
('2022-10-01', '2022-10-31')
>>> bounds(Literal("1998", datatype=NamedNode(XSD + "gYear")))
('1998-01-01', '1998-12-31')
>>> bounds(Literal("2025-10-10", datatype=NamedNode(XSD + "date")))
('2025-10-10', '2025-10-10')
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from pyoxigraph import Literal

from kg.vocab import XSD

DATE_TYPES = (XSD + "date", XSD + "gYearMonth", XSD + "gYear")
"""The datatypes of a date at day, month or year precision."""

# A timezone may follow any of the three; it does not move the day a date names.
LEXICAL = {
    XSD + "date": re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?"),
    XSD + "gYearMonth": re.compile(r"(\d{4})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?"),
    XSD + "gYear": re.compile(r"(\d{4})(?:Z|[+-]\d{2}:\d{2})?"),
}


def is_date(term: object) -> bool:
    """Tell whether an RDF term is a date literal at day, month or year precision."""
    return isinstance(term, Literal) and term.datatype.value in DATE_TYPES


def bounds(term: Literal) -> tuple[str, str] | None:
    """Return the first and last day (ISO 8601) a date literal can mean, or None if ill-formed."""
    pattern = LEXICAL.get(term.datatype.value)
    found = pattern.fullmatch(term.value) if pattern else None
    if found is None:
        return None
    parts = [int(part) for part in found.groups()]
    try:
        if len(parts) == 3:
            first = last = date(*parts)
        elif len(parts) == 2:
            first = date(parts[0], parts[1], 1)
            last = date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
        else:
            first, last = date(parts[0], 1, 1), date(parts[0], 12, 31)
    except ValueError:  # a month 13 or a 30 February: no day it could mean
        return None
    return first.isoformat(), last.isoformat()
