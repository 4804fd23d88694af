"""The article sentence behind each claim on an entity page, in its context, with its reviews.

A claim is a named graph whose IRI says ``prov:wasDerivedFrom`` a sentence (or is the body of a
Web Annotation that targets it); a sentence is its own source. A sentence carries a
TextQuoteSelector (``oa:exact``) and a TextPositionSelector (``oa:start``) into its article.
The context is the sentences before and after it in the same article. A review judges one
statement of a claim (``schema:itemReviewed`` a statement that is ``schema:isPartOf`` the claim),
or the claim itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg import iris
from kg.vocab import OA, PROV, RDF_TYPE, SCHEMA
from kg.web.pages.entity_data import Entity
from kg.web.pages.labels import LABEL_PREDICATES
from kg.web.pages.reader import Reader, Term, values

HIDDEN_REVIEW_FACTS = frozenset((RDF_TYPE, SCHEMA + "itemReviewed"))
HIDDEN_DETAILS = frozenset((RDF_TYPE, *LABEL_PREDICATES))
"""A value's type and labels: its link already shows them."""


@dataclass
class Fact:
    """One statement of a review, with a minted value's own statements beside it."""

    predicate: Term
    value: Term
    details: list[tuple[Term, Term]] = field(default_factory=list)


@dataclass
class Review:
    """A review of a claim, with everything it states (verdict, verified value, source)."""

    iri: str
    facts: list[Fact] = field(default_factory=list)


@dataclass
class Source:
    """The sentence a claim comes from, with the sentences around it."""

    claim: str
    sentence_iri: str
    sentence: str
    before: str
    after: str
    article: str | None
    start: int
    reviews: list[Review] = field(default_factory=list)

    @property
    def mentioned(self) -> set[str]:
        """Return the IRIs this source shows, so their labels can be fetched."""
        found = {self.claim, self.sentence_iri, *(r.iri for r in self.reviews)}
        if self.article:
            found.add(self.article)
        for review in self.reviews:
            for fact in review.facts:
                pairs = [(fact.predicate, fact.value), *fact.details]
                found.update(t.value for pair in pairs for t in pair if t.is_iri)
        return found


def candidate_claims(entity: Entity) -> set[str]:
    """Return the graphs that state the entity's facts, and the entity itself."""
    found = {entity.iri}
    for statement in entity.statements:
        for value in statement.values:
            found.update(value.graphs)
    for link in entity.incoming:
        found.update(link.graphs)
    return {g for g in found if iris.is_minted(g)}


def sentences_of(reader: Reader, claims: set[str]) -> list[tuple[str, str, str, str | None, int]]:
    """Return (claim, sentence, exact quote, article, start) for claims that have a sentence."""
    rows = reader.select(
        "SELECT ?claim ?sentence ?exact ?article ?start WHERE { "
        f"VALUES ?claim {{ {values(claims)} }} "
        f"?claim (<{PROV}wasDerivedFrom>|^<{OA}hasBody>/<{OA}hasTarget>)? ?sentence . "
        f"?sentence <{OA}hasSelector>/<{OA}exact> ?exact . "
        f"OPTIONAL {{ ?sentence <{OA}hasSource> ?article }} "
        f"OPTIONAL {{ ?sentence <{OA}hasSelector>/<{OA}start> ?start }} }}"
    )
    found = {
        (
            r["claim"].value,
            r["sentence"].value,
            r["exact"].value,
            r["article"].value if "article" in r else None,
            int(r["start"].value) if "start" in r else 0,
        )
        for r in rows
    }
    return sorted(found, key=lambda item: (item[4], item[0]))


def article_sentences(reader: Reader, articles: set[str]) -> dict[str, list[tuple[int, str, str]]]:
    """Return each article's sentences as (start, IRI, text), in reading order."""
    if not articles:
        return {}
    rows = reader.select(
        f"SELECT DISTINCT ?article ?sentence ?start ?exact WHERE {{ "
        f"VALUES ?article {{ {values(articles)} }} ?sentence <{OA}hasSource> ?article ; "
        f"<{OA}hasSelector>/<{OA}start> ?start ; <{OA}hasSelector>/<{OA}exact> ?exact }}"
    )
    found: dict[str, list[tuple[int, str, str]]] = {}
    for row in rows:
        found.setdefault(row["article"].value, []).append(
            (int(row["start"].value), row["sentence"].value, row["exact"].value)
        )
    return {article: sorted(items) for article, items in found.items()}


def reviews_of(reader: Reader, claims: set[str]) -> dict[str, list[Review]]:
    """Return the reviews of each claim, or of one of its statements, with what they state."""
    rows = reader.select(
        f"SELECT ?claim ?review ?p ?o ?p2 ?o2 WHERE {{ VALUES ?claim {{ {values(claims)} }} "
        f"?review <{SCHEMA}itemReviewed>/<{SCHEMA}isPartOf>? ?claim ; ?p ?o "
        f'OPTIONAL {{ ?o ?p2 ?o2 FILTER(isBlank(?o) || STRSTARTS(STR(?o), "{iris.ID_NS}")) '
        f"FILTER(?p != <{SCHEMA}itemReviewed>) }} }} ORDER BY ?review ?p ?o ?p2 ?o2"
    )
    found: dict[str, dict[str, Review]] = {}
    facts: dict[tuple[str, Term, Term], Fact] = {}
    for row in rows:
        if row["p"].value in HIDDEN_REVIEW_FACTS:
            continue
        review = found.setdefault(row["claim"].value, {}).setdefault(
            row["review"].value, Review(row["review"].value)
        )
        key = (review.iri, row["p"], row["o"])
        if key not in facts:
            facts[key] = Fact(row["p"], row["o"])
            review.facts.append(facts[key])
        if "p2" in row and row["p2"].value not in HIDDEN_DETAILS:
            facts[key].details.append((row["p2"], row["o2"]))
    return {claim: list(reviews.values()) for claim, reviews in found.items()}


def neighbours(sentences: list[tuple[int, str, str]], sentence_iri: str) -> tuple[str, str]:
    """Return the text of the sentences just before and after one sentence."""
    order = [iri for _, iri, _ in sentences]
    if sentence_iri not in order:
        return "", ""
    at = order.index(sentence_iri)
    before = sentences[at - 1][2] + " " if at > 0 else ""
    after = " " + sentences[at + 1][2] if at + 1 < len(sentences) else ""
    return before, after


def sources(reader: Reader, entity: Entity) -> list[Source]:
    """Return the sources of the claims stating the entity's facts (or of the sentence itself)."""
    claims = candidate_claims(entity)
    found = sentences_of(reader, claims)
    if not found:
        return []
    context = article_sentences(reader, {article for _, _, _, article, _ in found if article})
    reviews = reviews_of(reader, {claim for claim, *_ in found})
    result = []
    for claim, sentence, exact, article, start in found:
        before, after = neighbours(context.get(article or "", []), sentence)
        result.append(
            Source(claim, sentence, exact, before, after, article, start, reviews.get(claim, []))
        )
    return result
