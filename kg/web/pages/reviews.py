"""Review cards: a verdict, what the article says beside what the sources say, and the sources.

Each ``schema:ClaimReview`` judges one statement of a claim (``schema:itemReviewed`` a statement
that ``schema:isPartOf`` the claim) or, in older data, a whole claim. A card gathers the reviews
of one claim that share a verdict and a review text (the article's "both leaders emphasized
violence, economy and social programs" is six statements and one finding), shows the claimed
value beside the best verified value of the same subject and property, and links the sentence.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from kg import iris
from kg.vocab import OA, PROV, QUDT, RDF, SCHEMA, SKOS, WIKIBASE
from kg.web.pages.dates import is_date, spoken
from kg.web.pages.labels import Labels
from kg.web.pages.reader import Reader, Row, Term, checked_iri, values
from kg.web.pages.units import amount

PEK_VERIFIED_BY = iris.ONTOLOGY_NS + "verifiedBy"
PEK_VERIFIED_STATEMENT = iris.ONTOLOGY_NS + "VerifiedStatement"

NOT_CONFIRMED = (
    f"?review <{SCHEMA}reviewRating> ?judged . ?judged <{SCHEMA}ratingValue> ?value ; "
    f"<{SCHEMA}bestRating> ?top FILTER(?value < ?top)"
)
"""The reviews whose verdict is below the best rating: what the article got wrong or left open."""


@dataclass(frozen=True)
class Shown:
    """A value as a page shows it: its text, the IRI it links to, its language if not the page's."""

    text: str
    iri: str | None = None
    lang: str | None = None


@dataclass
class Reviewed:
    """One reviewed statement: what it says, and what the sources say of the same fact."""

    review: str
    statement: str
    subject: str | None = None
    predicate: str | None = None
    claimed: Shown | None = None
    verified: list[Shown] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        """Return the fragment id of this review on a page."""
        return "review-" + self.review.rstrip("/").rsplit("/", 1)[-1]


@dataclass
class Card:
    """The reviews of one claim that share a verdict and a finding."""

    verdict: str | None
    rating: int | None
    status: str | None
    words: Term | None
    body: Term | None
    published: Term | None
    claim: str
    sentence: str | None
    quote: str | None
    start: int
    items: list[Reviewed] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)
    badge: str = ""
    named_by_claim: bool = False
    """The statements' subjects have no labels, so the card is headed by its claim's."""

    @property
    def anchor(self) -> str:
        """Return the fragment id of the card: its first review's."""
        return self.items[0].anchor

    @property
    def subjects(self) -> list[str]:
        """Return the entities the reviewed statements are about, in order, each once."""
        found: list[str] = []
        for item in self.items:
            if item.subject and item.subject not in found:
                found.append(item.subject)
        return found

    @property
    def status_name(self) -> str:
        """Return the status's local name, which picks the badge's colour."""
        return self.status.rsplit("/", 1)[-1] if self.status else "unreviewed"


def review_rows(reader: Reader, restriction: str, language: str) -> list[Row]:
    """Return one row per review (and per value of its optional parts) matching a restriction.

    Each row carries the review's sources and verified facts (space-separated IRIs) and the
    verdict's short name in the reader's language and in English.
    """
    return reader.select(
        "SELECT ?review ?item ?verdict ?rating ?status ?badge ?badgeEn ?words ?body ?published "
        "?subject ?predicate ?object ?amount ?unit ?claim ?sentence ?quote ?start ?sources "
        f"?facts WHERE {{ ?review a <{SCHEMA}ClaimReview> ; <{SCHEMA}itemReviewed> ?item . "
        f"{restriction} "
        f"OPTIONAL {{ ?review <{SCHEMA}reviewRating> ?verdict "
        f"OPTIONAL {{ ?verdict <{SCHEMA}ratingValue> ?rating }} "
        f"OPTIONAL {{ ?verdict <{SKOS}broadMatch> ?status }} "
        f"OPTIONAL {{ ?verdict <{SCHEMA}alternateName> ?badge "
        f'FILTER(LANG(?badge) = "{language}") }} '
        f"OPTIONAL {{ ?verdict <{SCHEMA}alternateName> ?badgeEn "
        'FILTER(LANG(?badgeEn) = "en") } } '
        f"OPTIONAL {{ ?review <{SCHEMA}claimReviewed> ?words }} "
        f"OPTIONAL {{ ?review <{SCHEMA}reviewBody> ?body }} "
        f"OPTIONAL {{ ?review <{SCHEMA}datePublished> ?published }} "
        f"OPTIONAL {{ ?item <{RDF}subject> ?subject ; <{RDF}predicate> ?predicate ; "
        f"<{RDF}object> ?object OPTIONAL {{ ?object <{SCHEMA}value> ?amount "
        f"OPTIONAL {{ ?object <{QUDT}unit> ?unit }} }} }} "
        f"OPTIONAL {{ ?item <{SCHEMA}isPartOf> ?part }} BIND(COALESCE(?part, ?item) AS ?claim) "
        f"OPTIONAL {{ ?claim <{PROV}wasDerivedFrom> ?sentence . "
        f"?sentence <{OA}hasSelector>/<{OA}exact> ?quote "
        f"OPTIONAL {{ ?sentence <{OA}hasSelector>/<{OA}start> ?start }} }} "
        'OPTIONAL { SELECT ?review (GROUP_CONCAT(STR(?source); separator=" ") AS ?sources) '
        f"WHERE {{ ?review <{SCHEMA}citation> ?source FILTER(isIRI(?source)) }} "
        "GROUP BY ?review } "
        'OPTIONAL { SELECT ?review (GROUP_CONCAT(STR(?fact); separator=" ") AS ?facts) '
        f"WHERE {{ ?review <{PEK_VERIFIED_BY}> ?fact FILTER(isIRI(?fact)) }} "
        "GROUP BY ?review } } "
        "ORDER BY ?review ?status ?quote ?body ?words"
    )


def shown(value: Term, unit: Term | None, amount_of: Term | None, labels: Labels) -> Shown:
    """Return a statement's value as a page shows it."""
    if amount_of is not None:
        return Shown(amount(amount_of, unit, labels.language))
    if value.is_iri:
        return Shown(labels.show(value.value), value.value, labels.other_lang(value.value))
    if is_date(value):
        return Shown(spoken(value, labels.language))
    if value.is_blank:
        return Shown("[…]")
    return Shown(value.value, lang=value.lang if value.lang != labels.language else None)


def verified_values(
    reader: Reader, pairs: set[tuple[str, str]]
) -> dict[tuple[str, str], list[tuple[Term, Term | None, Term | None]]]:
    """Return the best verified values of (subject, property) pairs."""
    if not pairs:
        return {}
    listed = " ".join(f"({values([s])} {values([p])})" for s, p in sorted(pairs))
    rows = reader.select(
        f"SELECT DISTINCT ?subject ?predicate ?object ?amount ?unit WHERE {{ "
        f"VALUES (?subject ?predicate) {{ {listed} }} "
        f"?best a <{WIKIBASE}BestRank> , <{PEK_VERIFIED_STATEMENT}> ; <{RDF}subject> ?subject ; "
        f"<{RDF}predicate> ?predicate ; <{RDF}object> ?object "
        f"OPTIONAL {{ ?object <{SCHEMA}value> ?amount "
        f"OPTIONAL {{ ?object <{QUDT}unit> ?unit }} }} }} "
        "ORDER BY ?subject ?predicate ?amount ?object"
    )
    found: dict[tuple[str, str], list[tuple[Term, Term | None, Term | None]]] = {}
    for row in rows:
        key = (row["subject"].value, row["predicate"].value)
        found.setdefault(key, []).append((row["object"], row.get("unit"), row.get("amount")))
    return found


def cards(reader: Reader, restriction: str, labels: Labels) -> list[Card]:
    """Gather the review cards matching a restriction on ``?review``, ``?item`` and ``?claim``."""
    rows = review_rows(reader, restriction, labels.language)
    first_rows: dict[str, Row] = {}
    for row in rows:
        first_rows.setdefault(row["review"].value, row)
    pairs = {
        (row["subject"].value, row["predicate"].value)
        for row in first_rows.values()
        if "subject" in row and row["subject"].is_iri
    }
    verified = verified_values(reader, pairs)
    mentioned: set[str] = set()
    for row in first_rows.values():
        mentioned.update(t.value for t in row.values() if t.is_iri)
        mentioned.update(_listed(row, "sources") + _listed(row, "facts"))
    for found in verified.values():
        mentioned.update(v.value for v, _, _ in found if v.is_iri)
    labels.extend(mentioned)
    grouped: dict[tuple[str, str, str], Card] = {}
    for review, row in first_rows.items():
        key = (row["claim"].value, row.get("verdict", Term("", "")).value, _text(row.get("body")))
        card = grouped.get(key)
        if card is None:
            card = grouped[key] = _card(row)
        card.items.append(_reviewed(review, row, verified, labels))
        card.sources += [s for s in _listed(row, "sources") if s not in card.sources]
        card.facts += [f for f in _listed(row, "facts") if f not in card.facts]
    for card in grouped.values():
        card.named_by_claim = not card.subjects or any(labels.get(s) is None for s in card.subjects)
        if not card.badge and card.verdict:
            card.badge = labels.show(card.verdict)
    return sorted(
        grouped.values(),
        key=lambda c: (c.rating if c.rating is not None else 99, c.start, c.items[0].review),
    )


def _listed(row: Row, key: str) -> list[str]:
    """Return the IRIs a row lists, space-separated, in a stable order."""
    return sorted(row[key].value.split()) if key in row else []


def _text(term: Term | None) -> str:
    """Return a term's text, or an empty string."""
    return term.value if term is not None else ""


def _card(row: Row) -> Card:
    """Start a card from the first row of its first review."""
    rating = row.get("rating")
    start = row.get("start")
    return Card(
        verdict=row["verdict"].value if "verdict" in row else None,
        rating=int(rating.value) if rating is not None and rating.value.isdigit() else None,
        status=row["status"].value if "status" in row else None,
        words=row.get("words"),
        body=row.get("body"),
        published=row.get("published"),
        claim=row["claim"].value,
        sentence=row["sentence"].value if "sentence" in row else None,
        quote=row["quote"].value if "quote" in row else None,
        start=int(start.value) if start is not None and start.value.isdigit() else 0,
        badge=_text(row.get("badge") or row.get("badgeEn")),
    )


def _reviewed(
    review: str,
    row: Row,
    verified: dict[tuple[str, str], list[tuple[Term, Term | None, Term | None]]],
    labels: Labels,
) -> Reviewed:
    """Describe one reviewed statement: its claimed value and the verified values beside it."""
    item = Reviewed(review, row["item"].value)
    if "subject" not in row:
        return item
    item.subject, item.predicate = row["subject"].value, row["predicate"].value
    item.claimed = shown(row["object"], row.get("unit"), row.get("amount"), labels)
    for value, unit, amount_of in verified.get((item.subject, item.predicate), []):
        candidate = shown(value, unit, amount_of, labels)
        if candidate.text != item.claimed.text and candidate not in item.verified:
            item.verified.append(candidate)
    return item


def concerning(iri: str, claims: Collection[str]) -> str:
    """Restrict reviews to those of an IRI, of its statement, or of its claims' statements.

    One FILTER, rather than a UNION of VALUES blocks over an ``isPartOf?`` path: Virtuoso answers
    no row at all for a UNION with a VALUES branch, and refuses a zero-or-one path between two
    bound ends ("transitive derived table").
    """
    node = checked_iri(iri)
    if not claims:
        return f"FILTER(?review = {node} || ?item = {node})"
    within = ", ".join(checked_iri(claim) for claim in sorted(set(claims)))
    return (
        f"FILTER(?review = {node} || ?item IN ({node}, {within}) || "
        f"EXISTS {{ ?item <{SCHEMA}isPartOf> ?whole FILTER(?whole IN ({within})) }})"
    )
