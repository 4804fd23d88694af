"""Dates as a reader reads them: at the precision the data gives, in English or Spanish.

A value keeps its precision: ``"2022-10"^^xsd:gYearMonth`` reads "October 2022", never a day.
``bounds`` gives the first and last day a value can mean, which the timeline draws.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from kg.vocab import XSD
from kg.web.pages.reader import Term

DATE_TYPES = {XSD + "date", XSD + "dateTime", XSD + "gYearMonth", XSD + "gYear"}
MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
}
_PARTS = re.compile(r"^(-?\d{4,})(?:-(\d{2}))?(?:-(\d{2}))?")


def is_date(term: Term) -> bool:
    """Tell whether a term is a date of any precision."""
    return term.kind == "literal" and term.datatype in DATE_TYPES


def parts(term: Term) -> tuple[int, int | None, int | None] | None:
    """Return the year, month and day a date literal gives (None where it gives none)."""
    found = _PARTS.match(term.value)
    if not is_date(term) or found is None:
        return None
    year, month, day = found.groups()
    if term.datatype == XSD + "gYear":
        month = day = None
    elif term.datatype == XSD + "gYearMonth":
        day = None
    return int(year), int(month) if month else None, int(day) if day else None


def spoken(term: Term, language: str) -> str:
    """Return a date at its own precision, as a sentence would say it.

    >>> spoken(Term("literal", "2022-10", datatype=XSD + "gYearMonth"), "es")
    'octubre de 2022'
    >>> spoken(Term("literal", "2025-10-10", datatype=XSD + "date"), "en")
    '10 October 2025'
    """
    found = parts(term)
    if found is None:
        return term.value
    year, month, day = found
    months = MONTHS.get(language, MONTHS["en"])
    joiner = " de " if language == "es" else " "
    if month is None:
        return str(year)
    if day is None:
        return f"{months[month - 1]}{joiner}{year}"
    return f"{day}{joiner}{months[month - 1]}{joiner}{year}"


def bounds(term: Term) -> tuple[date, date] | None:
    """Return the first and last day a date of any precision can mean (None if it is no date).

    >>> bounds(Term("literal", "2022-10", datatype=XSD + "gYearMonth"))
    (datetime.date(2022, 10, 1), datetime.date(2022, 10, 31))
    """
    found = parts(term)
    if found is None:
        return None
    year, month, day = found
    try:
        if month is None:
            return date(year, 1, 1), date(year, 12, 31)
        if day is None:
            return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        return date(year, month, day), date(year, month, day)
    except ValueError:
        return None
