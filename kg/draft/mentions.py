"""Find the graph's entities that a sentence names, and propose stubs for the names left over.

Names are compared after folding case, accents, dashes and apostrophes, one code point for one,
so a match keeps the text's own offsets. Each entity is known by its English and Spanish labels
(``rdfs:label``, ``skos:altLabel``, ``schema:alternateName``), by the labels of the Wikidata item
it is ``owl:sameAs``, and by two English variants: "Central Bank of Ecuador" is also "Ecuador's
Central Bank", and "Pacific Ocean" is also "Pacific"; a label that opens with two countries
("Ecuador–Peru border region") is also its rest ("border region") in a sentence that names both,
or, when it names neither, in an article whose earlier sentences name those two countries most.
A word that starts with a country's name ("Peruvian") mentions that country. Items of the pinned
Wikidata extract that no entity links yet are matched too, and proposed as stubs with their QID.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from pyoxigraph import QuerySolutions, Store

from kg import iris, vocab
from kg.draft.document import DateValue, Mention, NewEntity, Sentence

FEATURE_WORDS = ("Ocean", "Sea", "River")
"""Last words of a place's English label that the text often leaves out ("the Pacific")."""
CONNECTORS = {"of", "de", "del", "la", "las", "los", "da", "do", "dos", "du", "von", "van"}
"""Lowercase words that may join the capitalised words of one name (Central Bank of Ecuador)."""
DASHES = "‐‑‒–—―−"
APOSTROPHES = "’‘ʼ′`"
SCHEMA_COUNTRY = vocab.SCHEMA + "Country"
SCHEMA_PERSON = vocab.SCHEMA + "Person"
SKOS_CONCEPT = vocab.SKOS + "Concept"

NAMES = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
SELECT DISTINCT ?entity ?label ?type ?item WHERE {{
  {{
    GRAPH <{iris.GRAPH_NS}entities> {{ ?entity a ?type }}
    {{
      GRAPH <{iris.GRAPH_NS}entities> {{
        ?entity rdfs:label|skos:altLabel|schema:alternateName ?label
      }}
    }}
    UNION
    {{
      ?entity owl:sameAs ?wikidata .
      GRAPH <{iris.WIKIDATA_GRAPH}> {{ ?wikidata rdfs:label ?label }}
    }}
  }}
  UNION
  {{
    GRAPH <{iris.WIKIDATA_GRAPH}> {{ ?item rdfs:label ?label }}
    FILTER(STRSTARTS(STR(?item), "{iris.WIKIDATA_ENTITY}Q"))
    FILTER NOT EXISTS {{ ?any owl:sameAs ?item }}
  }}
}}
"""


@dataclass(frozen=True)
class Name:
    """One way to write an entity's name, folded for matching."""

    entity: str
    label: str
    folded: str
    country: bool
    wikidata_only: bool
    surname_of: bool = False
    needs: tuple[str, ...] = ()
    """What the same sentence must name for this name to count ("border": both countries)."""


def fold(text: str) -> str:
    """Fold case, accents, dashes and apostrophes, keeping one code point for each one."""
    out = []
    for ch in text:
        if ch in DASHES:
            out.append("-")
        elif ch in APOSTROPHES:
            out.append("'")
        elif ch.isspace():
            out.append(" ")
        else:
            base = unicodedata.normalize("NFKD", ch)[0].lower()
            out.append(base[0] if base else ch)
    return "".join(out)


def variants(label: str, language: str) -> Iterator[str]:
    """Yield a label and the English variants a text commonly writes instead."""
    yield label
    if language != "en":
        return
    head, of, owner = label.partition(" of ")
    if of and head and owner and " of " not in owner:
        yield f"{owner}'s {head}"
    for word in FEATURE_WORDS:
        if label.endswith(" " + word) and label[0].isupper():
            yield label[: -len(word) - 1]


def known_names(store: Store) -> list[Name]:
    """Return every name of the graph's entities and of the unlinked Wikidata items."""
    rows = store.query(NAMES, use_default_graph_as_union=True)
    if not isinstance(rows, QuerySolutions):
        raise TypeError("NAMES must be a SELECT query")
    types: dict[str, set[str]] = {}
    labels: set[tuple[str, str, str, bool]] = set()
    for row in rows:
        item = row["item"]
        entity = item.value if item is not None else row["entity"].value
        if row["type"] is not None:
            types.setdefault(entity, set()).add(row["type"].value)
        literal = row["label"]
        labels.add((entity, literal.value, literal.language or "", item is not None))
    countries = {
        fold(label): entity
        for entity, label, _, _ in labels
        if SCHEMA_COUNTRY in types.get(entity, set())
    }
    names = []
    for entity, label, language, wikidata_only in sorted(labels):
        kinds = types.get(entity, set())
        if kinds == {SKOS_CONCEPT} and " " not in label and label.islower():
            continue  # a one-word concept ("led", "president") would match everywhere
        if wikidata_only and not label[:1].isupper():
            continue  # an unlinked item is proposed as a new entity only for a proper name
        for written in variants(label, language):
            if len(written) > 2:
                names.append(
                    Name(entity, label, fold(written), SCHEMA_COUNTRY in kinds, wikidata_only)
                )
        pair, _, rest = fold(label).partition(" ")
        first, dash, second = pair.partition("-")
        if dash and first in countries and second in countries and len(rest) > 2:
            needs = (countries[first], countries[second])
            names.append(Name(entity, label, rest, False, wikidata_only, needs=needs))
        surname = label.rsplit(" ", 1)[-1]
        if SCHEMA_PERSON in kinds and surname != label and len(surname) > 2:
            names.append(Name(entity, label, fold(surname), False, wikidata_only, True))
    return names


def at_word_edges(text: str, start: int, end: int) -> bool:
    """Tell whether a span starts and ends at word boundaries of the text."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    return not before.isalnum() and not after.isalnum()


def mentions_in(
    sentence: Sentence,
    names: Iterable[Name],
    named: set[str] | frozenset[str] = frozenset(),
    before: set[str] | frozenset[str] = frozenset(),
) -> list[Mention]:
    """Return the entities a sentence names, longest names first, each span at most once.

    A person's surname alone counts only for the people in ``named`` (already named in full); a
    name that needs two countries ("border") counts when they are named here, or else when they
    are the pair ``before`` (the two the article has named most).
    """
    folded = fold(sentence.exact)
    usable = [n for n in names if not n.surname_of or n.entity in named]
    plain = [n for n in usable if not n.needs]
    found = matches(sentence, folded, plain, {})
    here = {m.entity for m in found.values()}
    paired = [n for n in usable if n.needs and set(n.needs) <= here]
    if not paired:
        paired = [n for n in usable if n.needs and set(n.needs) <= before]
    found = matches(sentence, folded, paired, found)
    return sorted(found.values(), key=lambda m: (m.start, m.end))


def matches(
    sentence: Sentence,
    folded: str,
    names: Iterable[Name],
    found: dict[tuple[int, int, str], Mention],
) -> dict[tuple[int, int, str], Mention]:
    """Add to found every place where one of the names occurs in the folded sentence."""
    for name in sorted(names, key=lambda n: -len(n.folded)):
        at = folded.find(name.folded)
        while at != -1:
            end = at + len(name.folded)
            edges = at_word_edges(folded, at, end)
            if (edges or demonym(folded, at, end, name)) and not inside_same(
                found, at, end, name.entity
            ):
                span_end = end if edges else word_end(folded, end)
                found[(at, span_end, name.entity)] = Mention(
                    sentence.number,
                    sentence.start + at,
                    sentence.start + span_end,
                    sentence.exact[at:span_end],
                    name.entity,
                    name.label,
                )
            at = folded.find(name.folded, at + 1)
    return found


def mentions_of_article(sentences: Iterable[Sentence], names: list[Name]) -> list[Mention]:
    """Return the mentions of every sentence, in order.

    A surname alone names a person the article names in full; "the border" is the border of two
    countries named in the same sentence, else of the two the article has named most so far.
    """
    sentences = list(sentences)
    named = {m.entity for s in sentences for m in mentions_in(s, names)}
    countries = {n.entity for n in names if n.country}
    found: list[Mention] = []
    for sentence in sentences:
        found += mentions_in(sentence, names, named, main_pair(found, countries))
    return found


def main_pair(mentions: Iterable[Mention], countries: set[str]) -> frozenset[str]:
    """Return the two countries named most often, or nothing when a third ties with them."""
    counts = Counter(m.entity for m in mentions if m.entity in countries).most_common(3)
    if len(counts) < 2 or (len(counts) == 3 and counts[2][1] == counts[1][1]):
        return frozenset()
    return frozenset(entity for entity, _ in counts[:2])


def demonym(folded: str, start: int, end: int, name: Name) -> bool:
    """Tell whether a country's name begins a longer capitalised word ("Peruvian")."""
    before = folded[start - 1] if start > 0 else " "
    return name.country and not before.isalnum() and end < len(folded) and folded[end].isalpha()


def word_end(text: str, at: int) -> int:
    """Return where the word running through position at ends."""
    while at < len(text) and text[at].isalnum():
        at += 1
    return at


def inside_same(
    found: dict[tuple[int, int, str], Mention], start: int, end: int, entity: str
) -> bool:
    """Tell whether a span lies inside one already found for the same entity."""
    return any(s <= start and end <= e and ent == entity for s, e, ent in found)


def tokens(text: str) -> Iterator[tuple[int, int]]:
    """Yield the spans of the words of a text (letters, digits and inner hyphens)."""
    at = 0
    while at < len(text):
        if text[at].isalnum():
            start = at
            while at < len(text) and (
                text[at].isalnum()
                or (text[at] == "-" and at + 1 < len(text) and text[at + 1].isalnum())
            ):
                at += 1
            yield start, at
        else:
            at += 1


def content_start(sentence: Sentence) -> int:
    """Return where a sentence's own words start: after an item's label ("Energy Security: ")."""
    text = sentence.exact
    label, colon, _ = text.partition(": ")
    if sentence.role == "item" and colon and len(label.split()) <= 6:
        return len(label) + 2
    return 0


def capitalised_runs(sentence: Sentence) -> Iterator[tuple[int, int, int]]:
    """Yield (start, end, words) of each run of capitalised words joined by spaces or connectors."""
    text = sentence.exact
    label_end = content_start(sentence)
    run: list[tuple[int, int]] = []
    pending: list[tuple[int, int]] = []
    for start, end in tokens(text):
        word = text[start:end]
        joined = bool(run) and text[(pending or run)[-1][1] : start].strip() == ""
        if start < label_end:
            continue
        if word[0].isupper() and (joined or not run):
            run += [*pending, (start, end)]
            pending = []
        elif word in CONNECTORS and joined:
            pending.append((start, end))
        else:
            if run:
                yield run[0][0], run[-1][1], len(run)
            run, pending = ([(start, end)] if word[0].isupper() else []), []
    if run:
        yield run[0][0], run[-1][1], len(run)


def new_entities(
    sentences: Iterable[Sentence],
    mentions: Iterable[Mention],
    dates: Iterable[DateValue],
    known_iris: set[str],
) -> list[NewEntity]:
    """Propose a stub for each capitalised name no mention or date covers.

    Front matter (a title-case headline) is skipped, and so is the first word of a sentence
    unless the article also writes it capitalised elsewhere.
    """
    taken = [(m.start, m.end) for m in mentions] + [(d.start, d.end) for d in dates]
    body = [s for s in sentences if s.role in ("body", "item")]
    inner = inner_capitals(body)
    stubs: dict[str, NewEntity] = {}
    for sentence in body:
        for start, end, words in capitalised_runs(sentence):
            begin = sentence.start + start
            if any(s < sentence.start + end and begin < e for s, e in taken):
                continue
            name = sentence.exact[start:end]
            if sentence.exact[content_start(sentence) : start].strip(" “\"'‘(") == "":
                first, _, rest = name.partition(" ")
                if first not in inner:
                    name = rest
            name = " ".join(name.split())
            if len(name) < 3 or (words == 1 and not name[0].isupper()):
                continue
            add_stub(stubs, name, sentence.number, known_iris)
    return list(stubs.values())


def inner_capitals(sentences: Iterable[Sentence]) -> set[str]:
    """Return the capitalised words the sentences write somewhere other than at their start."""
    found = set()
    for sentence in sentences:
        for start, end in tokens(sentence.exact):
            word = sentence.exact[start:end]
            if start > content_start(sentence) and word[0].isupper():
                found.add(word)
    return found


def add_stub(stubs: dict[str, NewEntity], name: str, sentence: int, known_iris: set[str]) -> None:
    """Record a stub for a name, or one more sentence for a stub already proposed."""
    key = slug(name)
    if not key or iris.ID_NS + key in known_iris:
        return
    for other in stubs.values():
        if " " in other.name and name == other.name.rsplit(" ", 1)[-1]:
            key = other.slug  # a surname alone names the person already proposed
    old = stubs.get(key)
    if old is None:
        stubs[key] = NewEntity(key, name, (sentence,))
    elif sentence not in old.sentences:
        stubs[key] = NewEntity(key, old.name, (*old.sentences, sentence), old.wikidata)


def slug(name: str) -> str:
    """Return the IRI slug of a name: ASCII, lowercase, words joined by hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = "".join(c.lower() if c.isalnum() else " " for c in ascii_name).split()
    return "-".join(words)
