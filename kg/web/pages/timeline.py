"""The story's timeline: events and terms of office, the article's dates beside the verified ones.

Every date comes from a statement node (``graph/statements``), so each mark knows its layer: a
verified value is drawn solid, the article's value hatched when a source corrects it (the
article's "since October 2022" beside the verified 10 October 2025) and outlined when nothing
contradicts it. A value is drawn over every day it can mean (October 2022 is a month wide).
Dates far apart (the 1995 war, the 2025 meeting) get their own stretch of the axis, with a
break between, so neither is squeezed to a point. Positions are percentages of the strip's
width, so the drawing fits any screen without scaling its text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from kg import iris
from kg.vocab import RDF, SCHEMA, SEM, WIKIBASE
from kg.web.pages.dates import bounds, spoken
from kg.web.pages.labels import Labels
from kg.web.pages.reader import Reader, Row, values

PEK = iris.ONTOLOGY_NS
TENURE = PEK + "Tenure"
CLASSES = (TENURE, SEM + "Event", PEK + "Agreement")
"""What the timeline draws: terms of office, events, agreements."""
START, END = SCHEMA + "startDate", SCHEMA + "endDate"
CORRECTED = PEK + "status/corrected"
GAP = timedelta(days=4 * 365)
"""Dates further apart than this are drawn on separate stretches of the axis."""
PAD = timedelta(days=60)
MARGIN, BREAK = 3.0, 4.0
"""Percent of the width kept free at each end, and between two stretches."""


@dataclass(frozen=True)
class Mark:
    """One drawn value: from its first to its last day, its layer, and how it is drawn."""

    kind: str
    """``verified``, ``claimed`` (the article's, uncontradicted) or ``corrected`` (the article's,
    not the best value)."""
    first: date
    last: date
    open_end: bool = False
    """A term of office with no end in the graph runs to the edge of the axis."""


@dataclass
class Lane:
    """One subject's line: its label, its dates in words, and its marks."""

    iri: str
    label: str
    lang: str | None
    marks: list[Mark] = field(default_factory=list)
    words: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Stretch:
    """A stretch of the axis: the days it covers and the percentages it spans."""

    first: date
    last: date
    left: float
    right: float

    def x(self, day: date) -> float:
        """Return the position of a day, in percent of the width."""
        span = (self.last - self.first).days or 1
        return round(self.left + (self.right - self.left) * (day - self.first).days / span, 2)


@dataclass
class Timeline:
    """The rows, the axis and its ticks, ready to draw."""

    rows: list[Lane]
    stretches: list[Stretch]

    def x(self, day: date) -> float:
        """Return the position of a day on the axis."""
        for stretch in self.stretches:
            if day <= stretch.last:
                return stretch.x(max(day, stretch.first))
        return self.stretches[-1].right

    def bar(self, mark: Mark) -> tuple[float, float]:
        """Return a mark's left edge and width, never thinner than a visible sliver."""
        left = self.x(mark.first)
        right = 100 - MARGIN if mark.open_end else self.x(mark.last + timedelta(days=1))
        return left, round(max(right - left, 0.8), 2)

    @property
    def ticks(self) -> list[tuple[float, int, bool]]:
        """Return the year ticks: position, year, and whether it is minor (hidden when narrow)."""
        found = []
        for stretch in self.stretches:
            years = range(stretch.first.year + 1, stretch.last.year + 1)
            step = 1 if len(years) <= 6 else 5
            for year in years:
                found.append((stretch.x(date(year, 1, 1)), year, year % (2 * step) != 0))
        return found

    @property
    def breaks(self) -> list[float]:
        """Return where the axis breaks between two stretches."""
        return [
            round((a.right + b.left) / 2, 2)
            for a, b in zip(self.stretches, self.stretches[1:], strict=False)
        ]


def statements(reader: Reader) -> list[Row]:
    """Return every date statement about a term of office, an event or an agreement.

    ``?best`` and ``?tenure`` are bound or not, never computed booleans: Virtuoso answers
    ``EXISTS`` and every comparison with the integer 1 or 0, not ``true`` or ``false``.
    """
    return reader.select(
        "SELECT DISTINCT ?subject ?tenure ?predicate ?value ?layer ?best ?status WHERE { "
        f"VALUES ?class {{ {values(CLASSES)} }} ?subject a ?class . "
        f"VALUES ?layer {{ <{PEK}ClaimStatement> <{PEK}VerifiedStatement> }} "
        f"?statement a ?layer ; <{RDF}subject> ?subject ; <{RDF}predicate> ?predicate ; "
        f"<{RDF}object> ?value ; <{PEK}earliest> ?earliest . "
        f"OPTIONAL {{ ?statement <{PEK}status> ?status }} "
        f"OPTIONAL {{ ?statement a ?best FILTER(?best = <{WIKIBASE}BestRank>) }} "
        f"OPTIONAL {{ ?subject a ?tenure FILTER(?tenure = <{TENURE}>) }} }} "
        "ORDER BY ?subject ?predicate ?layer ?value"
    )


def kind_of(row: Row) -> str:
    """Return how a value is drawn: verified, the article's, or the article's corrected."""
    if row["layer"].value == PEK + "VerifiedStatement":
        return "verified"
    corrected = "best" not in row and "status" in row
    return "corrected" if corrected and row["status"].value == CORRECTED else "claimed"


def marks_of(rows: list[Row]) -> list[Mark]:
    """Turn one subject's date statements into marks: a term or period a bar, a date a point."""
    found: list[Mark] = []
    by_kind: dict[str, dict[str, list[tuple[date, date]]]] = {}
    is_tenure = any("tenure" in r for r in rows)
    for row in rows:
        span = bounds(row["value"])
        if span is not None:
            by_kind.setdefault(kind_of(row), {}).setdefault(row["predicate"].value, []).append(span)
    best_end = [s for k in ("verified", "claimed") for s in by_kind.get(k, {}).get(END, [])]
    # The article's values first, so the verified ones are drawn over them.
    for kind in ("corrected", "claimed", "verified"):
        dates = by_kind.get(kind, {})
        starts, ends = dates.pop(START, []), dates.pop(END, [])
        for first, last in starts:
            closing = ends or (best_end if kind == "corrected" else [])
            if closing:
                found.append(Mark(kind, first, max(end for _, end in closing)))
            else:
                found.append(Mark(kind, first, last, open_end=is_tenure))
        if not starts:
            found += [Mark(kind, first, last) for first, last in ends]
        found += [Mark(kind, first, last) for spans in dates.values() for first, last in spans]
    return found


def words_of(rows: list[Row], labels: Labels) -> list[str]:
    """Return a subject's dates in words, each with what it is and whose it is."""
    found: list[str] = []
    for row in sorted(rows, key=lambda r: (bounds(r["value"]) or (date.min, date.min), kind_of(r))):
        if bounds(row["value"]) is None:
            continue
        said = spoken(row["value"], labels.language)
        prop = labels.show(row["predicate"].value)
        whose = {"verified": "", "claimed": " (article)", "corrected": " (article, corrected)"}
        if labels.language == "es":
            whose = {
                "verified": "",
                "claimed": " (artículo)",
                "corrected": " (artículo, corregido)",
            }
        line = f"{prop}: {said}{whose[kind_of(row)]}"
        if line not in found:
            found.append(line)
    return found


def stretches(days: list[date]) -> list[Stretch]:
    """Cut the axis where dates lie far apart; give each stretch width by its length in days."""
    days = sorted(days)
    groups: list[list[date]] = [[days[0]]]
    for day in days[1:]:
        if day - groups[-1][-1] > GAP:
            groups.append([day])
        else:
            groups[-1].append(day)
    spans = [(g[0] - PAD, g[-1] + PAD) for g in groups]
    usable = 100 - 2 * MARGIN - BREAK * (len(spans) - 1)
    lengths = [(last - first).days for first, last in spans]
    # Each stretch gets at least a fifth of the width, the rest in proportion to its length.
    floor = min(usable / 5, usable / len(spans))
    extra = usable - floor * len(spans)
    found, left = [], MARGIN
    for (first, last), length in zip(spans, lengths, strict=True):
        width = floor + extra * length / sum(lengths)
        found.append(Stretch(first, last, round(left, 2), round(left + width, 2)))
        left += width + BREAK
    return found


def timeline(reader: Reader, labels: Labels) -> Timeline | None:
    """Gather the story's timeline, or None when the graph has no dated statements to draw."""
    by_subject: dict[str, list[Row]] = {}
    for row in statements(reader):
        by_subject.setdefault(row["subject"].value, []).append(row)
    if not by_subject:
        return None
    labels.extend(
        [*by_subject, START, END, *(r["predicate"].value for rs in by_subject.values() for r in rs)]
    )
    lanes = []
    for subject, found in by_subject.items():
        marks = marks_of(found)
        if marks:
            lane = Lane(subject, labels.show(subject), labels.other_lang(subject), marks)
            lane.words = words_of(found, labels)
            lanes.append(lane)
    if not lanes:
        return None
    lanes.sort(key=lambda lane: (min(m.first for m in lane.marks), lane.label))
    days = [d for lane in lanes for m in lane.marks for d in (m.first, m.last)]
    return Timeline(lanes, stretches(days))
