"""Suggest IRIs the graph does know when someone asks for one it does not."""

from __future__ import annotations

import re

from kg import iris
from kg.vocab import RDFS_LABEL
from kg.web.pages.labels import Labels
from kg.web.pages.reader import Reader

SUGGESTION_LIMIT = 10


def words_of(iri: str) -> list[str]:
    """Return the searchable words of an IRI's last path segment (letters and digits only)."""
    last = iri.rstrip("/").rsplit("/", 1)[-1].lower()
    return [w for w in re.split(r"[^a-z0-9]+", last) if len(w) >= 3]


def similar(reader: Reader, iri: str, language: str) -> list[tuple[str, str]]:
    """Return minted IRIs whose IRI or label shares a word with the one asked for."""
    words = words_of(iri)
    if not words:
        return []
    tests = " || ".join(
        f'CONTAINS(LCASE(STR(?s)), "{w}") || CONTAINS(LCASE(STR(?l)), "{w}")' for w in words
    )
    rows = reader.select(
        "SELECT DISTINCT ?s WHERE { ?s ?p ?o "
        f"OPTIONAL {{ ?s <{RDFS_LABEL}> ?l }} "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iris.BASE}") && ({tests})) }} '
        f"ORDER BY ?s LIMIT {SUGGESTION_LIMIT}"
    )
    found = [row["s"].value for row in rows]
    labels = Labels.fetch(reader, found, language)
    return [(s, labels.show(s)) for s in found]
