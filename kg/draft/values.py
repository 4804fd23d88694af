"""Find the dates and the amounts a sentence states, with maintained parsers.

Dates come from ``dateparser``: ``search_dates`` finds them, and ``DateDataParser`` reports the
precision the text gives (a month stays a month, a year a year); a date without its year ("between
January and October of the current year") takes the article's year, and says so. Amounts come
from ``quantulum3`` (English only): a number with its currency or unit, "billion" and "million"
applied. Bare numbers (years, counts) are left to the person, who knows what they count.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from dateparser.date import DateDataParser
from dateparser.search import search_dates

from kg.draft.document import Amount, DateValue, Sentence

PRECISIONS = {"day": "day", "time": "day", "month": "month", "year": "year"}
DATE_LANGUAGES = ["en", "es"]

# quantulum3 units to QUDT units and UN/CEFACT common codes (schema:unitCode), as the shipped
# claims write them; a unit missing here keeps quantulum3's name for a person to map.
UNITS: dict[str, tuple[str, str]] = {
    "kilometre": ("http://qudt.org/vocab/unit/KiloM", "KMT"),
    "metre": ("http://qudt.org/vocab/unit/M", "MTR"),
    "square kilometre": ("http://qudt.org/vocab/unit/KiloM2", "KMK"),
    "hectare": ("http://qudt.org/vocab/unit/HA", "HAR"),
    "kilogram": ("http://qudt.org/vocab/unit/KiloGM", "KGM"),
    "tonne": ("http://qudt.org/vocab/unit/TONNE", "TNE"),
    "litre": ("http://qudt.org/vocab/unit/L", "LTR"),
    "percentage": ("http://qudt.org/vocab/unit/PERCENT", "P1"),
}


def settings(published: date) -> dict[str, Any]:
    """Return dateparser's settings: relative dates resolve against the article's date."""
    base = datetime(published.year, published.month, published.day)
    return {"RELATIVE_BASE": base, "RETURN_TIME_AS_PERIOD": True, "PREFER_DATES_FROM": "past"}


@cache
def date_parser(published: date) -> DateDataParser:
    """Return a parser that reports each date's precision (its period)."""
    return DateDataParser(languages=DATE_LANGUAGES, settings=settings(published))


def parse_day(text: str) -> date | None:
    """Return the day a text names to the day ("December 12, 2025"), or None."""
    found = DateDataParser(languages=DATE_LANGUAGES).get_date_data(text.strip())
    if found.date_obj is None or found.period not in ("day", "time"):
        return None
    day: date = found.date_obj.date()
    return day


def detect_language(text: str) -> str | None:
    """Return the language of the first date in the text that dateparser reads ("en", "es")."""
    found = search_dates(text, languages=DATE_LANGUAGES, add_detected_language=True)
    return found[0][2] if found else None


def trimmed(surface: str, parser: DateDataParser) -> str:
    """Drop the words around a found date that are not part of it ("on a 1998" -> "1998")."""
    words = surface.split()

    def extra(word: str) -> bool:
        if any(c.isdigit() for c in word):
            return False
        return len(word) < 3 or parser.get_date_data(word).date_obj is None

    while len(words) > 1 and extra(words[0]):
        words.pop(0)
    while len(words) > 1 and extra(words[-1]):
        words.pop()
    return " ".join(words)


def dates_in(sentence: Sentence, published: date, language: str) -> list[DateValue]:
    """Return the dates one sentence states, each at the precision its words give."""
    parser = date_parser(published)
    flat = sentence.one_line
    found = search_dates(flat, languages=[language], settings=settings(published)) or []
    values = []
    for surface, _ in found:
        words = trimmed(surface, parser)
        data = parser.get_date_data(words)
        if data.date_obj is None or data.period not in PRECISIONS:
            continue
        precision = PRECISIONS[data.period]
        day = data.date_obj.date()
        for start, end in spans_of(sentence, words):
            relative = str(day.year) not in words
            values.append(DateValue(sentence.number, start, end, words, day, precision, relative))
            break
    return values


def spans_of(sentence: Sentence, words: str) -> Iterator[tuple[int, int]]:
    """Yield the text offsets of a phrase found in the one-line form of a sentence.

    The one-line form differs from the text only in whitespace, so a phrase is matched word by
    word against the exact text, whatever the line breaks between its words.
    """
    parts = words.split()
    exact = sentence.exact
    at = exact.find(parts[0])
    while at != -1:
        position, ok = at + len(parts[0]), True
        for part in parts[1:]:
            gap = len(exact[position:]) - len(exact[position:].lstrip())
            if gap == 0 or not exact.startswith(part, position + gap):
                ok = False
                break
            position += gap + len(part)
        if ok:
            yield sentence.start + at, sentence.start + position
        at = exact.find(parts[0], at + 1)


@cache
def quantities() -> Any:
    """Return quantulum3's parser, loaded once (it builds its unit tables on first use)."""
    with warnings.catch_warnings():
        # quantulum3 warns at import that its optional scikit-learn classifier is missing; the
        # rule-based parser is the one wanted (nothing is trained or downloaded at run time).
        warnings.simplefilter("ignore", UserWarning)
        from quantulum3 import parser

    return parser


def amounts_in(sentence: Sentence, language: str) -> list[Amount]:
    """Return the amounts with a currency or unit that one sentence states (English only)."""
    if language != "en":
        return []
    chunk = sentence.exact.replace("\r", " ").replace("\n", " ")
    found = []
    for quantity in quantities().parse(chunk):
        unit = quantity.unit
        currency = getattr(unit, "currency_code", None)
        if unit.entity.name == "dimensionless" and unit.name != "percentage":
            continue
        start, end = quantity.span
        qudt, code = UNITS.get(unit.name, (None, None))
        found.append(
            Amount(
                sentence.number,
                sentence.start + start,
                sentence.start + end,
                sentence.exact[start:end],
                decimal_of(quantity.value),
                currency=currency,
                unit=None if currency else qudt,
                unit_code=None if currency else code,
                unit_name=None if currency or qudt else unit.name,
            )
        )
    return found


def decimal_of(value: float) -> Decimal:
    """Return a parsed number as a decimal, without the binary float's last-digit noise."""
    exact = Decimal(f"{value:.12g}")
    return exact.quantize(Decimal(1)) if exact == exact.to_integral_value() else exact.normalize()
