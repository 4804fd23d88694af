"""The article sentences behind an entity page's claims, each once, in their context.

A claim is a named graph whose IRI says ``prov:wasDerivedFrom`` a sentence (or is the body of a
Web Annotation that targets it); a sentence is its own source. A sentence carries a
TextQuoteSelector (``oa:exact``) and a TextPositionSelector (``oa:start``) into its article.
The context is the sentences before and after it in the same article. A sentence that makes
several claims is shown once, with all of them; their reviews are the page's cards
(``kg.web.pages.reviews``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kg import iris
from kg.vocab import OA, PROV
from kg.web.pages.entity_data import Entity
from kg.web.pages.reader import Reader, values


@dataclass
class Source:
    """A sentence that claims the entity's facts, with the sentences around it."""

    sentence_iri: str
    sentence: str
    before: str
    after: str
    article: str | None
    start: int
    claims: list[str] = field(default_factory=list)

    @property
    def mentioned(self) -> set[str]:
        """Return the IRIs this source shows, so their labels can be fetched."""
        found = {self.sentence_iri, *self.claims}
        if self.article:
            found.add(self.article)
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
    """Return the sentences of the claims stating the entity's facts (or the sentence itself)."""
    found = sentences_of(reader, candidate_claims(entity))
    if not found:
        return []
    context = article_sentences(reader, {article for _, _, _, article, _ in found if article})
    by_sentence: dict[str, Source] = {}
    for claim, sentence, exact, article, start in found:
        source = by_sentence.get(sentence)
        if source is None:
            before, after = neighbours(context.get(article or "", []), sentence)
            source = by_sentence[sentence] = Source(sentence, exact, before, after, article, start)
        if claim != sentence and claim not in source.claims:
            source.claims.append(claim)
    return sorted(by_sentence.values(), key=lambda s: (s.article or "", s.start, s.sentence_iri))
