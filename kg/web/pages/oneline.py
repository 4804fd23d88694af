"""One line that says what an entity is, for the story's lists and the top of an entity page.

The line is written from the best values (plain triples): a person's offices with their dates
and birth, a tenure's holder and dates, an event's dates and place, an agreement's signing, a
place's surroundings, a border's countries and length; else the entity's own description; else
its types. Nothing is guessed: a fact the graph lacks is left out of the line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kg import iris
from kg.vocab import QUDT, RDF_TYPE, RDFS_COMMENT, SCHEMA, SEM, SKOS
from kg.web.pages.dates import is_date, spoken
from kg.web.pages.labels import Labels
from kg.web.pages.reader import Reader, Term, values
from kg.web.pages.units import amount

PEK = iris.ONTOLOGY_NS
DESCRIPTIONS = (SCHEMA + "description", RDFS_COMMENT, SKOS + "definition")
FACTS = (
    *DESCRIPTIONS,
    RDF_TYPE,
    SCHEMA + "startDate",
    SCHEMA + "endDate",
    SCHEMA + "birthDate",
    SCHEMA + "birthPlace",
    SCHEMA + "containedInPlace",
    SEM + "hasPlace",
    PEK + "signingDate",
    PEK + "signingPlace",
    PEK + "holder",
    PEK + "office",
    PEK + "borderOf",
    PEK + "length",
)
WORDS = {
    "born": ("born", "nació el"),
    "signed": ("signed", "firmado el"),
    "in": ("in", "en"),
    "between": ("between", "entre"),
    "and": ("and", "y"),
    "since": ("since", "desde"),
}


@dataclass
class Facts:
    """The facts of one entity that a line can be written from."""

    by_property: dict[str, list[Term]] = field(default_factory=dict)
    tenures: list[dict[str, Term]] = field(default_factory=list)

    def first(self, prop: str) -> Term | None:
        """Return the first value of a property (values are sorted, so the choice is stable)."""
        found = self.by_property.get(prop)
        return found[0] if found else None


@dataclass(frozen=True)
class Line:
    """A one-line description, and its language when it is quoted from the data."""

    text: str
    lang: str | None = None


def gather(reader: Reader, subjects: list[str], language: str) -> dict[str, Facts]:
    """Read the facts the lines need, for many entities in one query."""
    found = {s: Facts() for s in subjects}
    if not subjects:
        return found
    rows = reader.select(
        "SELECT DISTINCT ?x ?p ?o ?amount ?unit ?tenure ?office ?start ?end WHERE { "
        f"VALUES ?x {{ {values(subjects)} }} "
        f"{{ VALUES ?p {{ {values(FACTS)} }} ?x ?p ?o "
        f"OPTIONAL {{ ?o <{SCHEMA}value> ?amount OPTIONAL {{ ?o <{QUDT}unit> ?unit }} }} }} "
        f"UNION {{ ?tenure <{PEK}holder> ?x ; <{PEK}office> ?office "
        f"OPTIONAL {{ ?tenure <{SCHEMA}startDate> ?start }} "
        f"OPTIONAL {{ ?tenure <{SCHEMA}endDate> ?end }} }} }}"
    )
    held = sorted(
        (r for r in rows if "tenure" in r),
        key=lambda r: (r["x"].value, r.get("start", Term("", "")).value, r["tenure"].value),
    )
    facts = (r for r in rows if "p" in r)
    for row in sorted(facts, key=lambda r: (r["p"].value, r["o"].kind, r["o"].value)):
        value = row["o"]
        if value.is_blank and "amount" in row:
            value = Term(
                "literal", amount(row["amount"], row.get("unit"), language), datatype="amount"
            )
        found[row["x"].value].by_property.setdefault(row["p"].value, []).append(value)
    for row in held:
        found[row["x"].value].tenures.append(row)
    return found


def mentioned(facts: dict[str, Facts]) -> set[str]:
    """Return the IRIs the lines will name, so their labels can be fetched."""
    iris_: set[str] = set()
    for entity in facts.values():
        iris_.update(t.value for ts in entity.by_property.values() for t in ts if t.is_iri)
        iris_.update(t.value for row in entity.tenures for t in row.values() if t.is_iri)
    return iris_


def span(start: Term | None, end: Term | None, language: str) -> str:
    """Return a period as text: "10 October 2025 – 17 February 2026", or "since ..."."""
    if start and end:
        return f"{spoken(start, language)} – {spoken(end, language)}"
    if start:
        return f"{word('since', language)} {spoken(start, language)}"
    return spoken(end, language) if end else ""


def word(key: str, language: str) -> str:
    """Return one of the line's connecting words in the reader's language."""
    english, spanish = WORDS[key]
    return spanish if language == "es" else english


def line_of(facts: Facts, labels: Labels, language: str) -> Line | None:
    """Write the line for one entity, or None when the graph gives nothing to say."""
    name = labels.show
    pieces: list[str] = []
    for row in facts.tenures:
        dates = span(row.get("start"), row.get("end"), language)
        pieces.append(f"{name(row['office'].value)}" + (f", {dates}" if dates else ""))
    holder, office = facts.first(PEK + "holder"), facts.first(PEK + "office")
    if holder and office:
        pieces.append(f"{name(holder.value)}, {name(office.value)}")
    dates = span(facts.first(SCHEMA + "startDate"), facts.first(SCHEMA + "endDate"), language)
    if dates:
        pieces.append(dates)
    signed, signed_at = facts.first(PEK + "signingDate"), facts.first(PEK + "signingPlace")
    if signed:
        at = f", {name(signed_at.value)}" if signed_at and signed_at.is_iri else ""
        pieces.append(f"{word('signed', language)} {spoken(signed, language)}{at}")
    born, born_in = facts.first(SCHEMA + "birthDate"), facts.first(SCHEMA + "birthPlace")
    if born and is_date(born):
        place = f", {name(born_in.value)}" if born_in and born_in.is_iri else ""
        pieces.append(f"{word('born', language)} {spoken(born, language)}{place}")
    for prop in (SCHEMA + "containedInPlace", SEM + "hasPlace"):
        places = [name(t.value) for t in facts.by_property.get(prop, []) if t.is_iri]
        if places:
            pieces.append(f"{word('in', language)} {', '.join(places)}")
    sides = [name(t.value) for t in facts.by_property.get(PEK + "borderOf", []) if t.is_iri]
    if len(sides) == 2:
        pieces.append(f"{word('between', language)} {sides[0]} {word('and', language)} {sides[1]}")
    length = facts.first(PEK + "length")
    if length and length.datatype == "amount":
        pieces.append(length.value)
    if pieces:
        return Line(" · ".join(pieces))
    described = [
        t for p in DESCRIPTIONS for t in facts.by_property.get(p, []) if t.kind == "literal"
    ]
    if described:
        best = min(described, key=lambda t: (t.lang != language, t.lang != "en", t.value))
        return Line(best.value, best.lang if best.lang != language else None)
    types = [t.value for t in facts.by_property.get(RDF_TYPE, []) if t.is_iri]
    kind = preferred_type(types, labels)
    return Line(name(kind)) if kind else None


def preferred_type(types: list[str], labels: Labels) -> str | None:
    """Return the type that names an entity best, among those with a label.

    The project's own class is the most specific; then a schema.org one; the classes they
    imply (PROV, OWL) come last.
    """
    named = [t for t in types if labels.get(t)]
    if not named:
        return None
    return min(
        named, key=lambda t: (not t.startswith(PEK), not t.startswith(SCHEMA), labels.show(t))
    )


def lines(reader: Reader, subjects: Iterable[str], labels: Labels) -> dict[str, Line]:
    """Return the one-line description of each entity that has one."""
    facts = gather(reader, sorted(set(subjects)), labels.language)
    labels.extend(mentioned(facts))
    found = {}
    for subject, entity in facts.items():
        line = line_of(entity, labels, labels.language)
        if line is not None:
            found[subject] = line
    return found
