"""Labels for the pages: fetch them in one query and pick the best one for the reader's language.

IRIs without a label are shown as prefixed names (``kg.vocab.compact``).
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.vocab import DCTERMS, RDFS_LABEL, SCHEMA, SCHEMA_HTTP, SKOS, compact
from kg.web.pages.reader import Reader, Term, values

LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"

LABEL_PREDICATES = (
    RDFS_LABEL,
    SKOS + "prefLabel",
    SCHEMA_HTTP + "name",
    SCHEMA + "name",
    SCHEMA_HTTP + "headline",
    SCHEMA + "headline",
    DCTERMS + "title",
)


def language_of(requested: str | None) -> str:
    """Return the page language asked for (?lang=), falling back to English."""
    return requested if requested in LANGUAGES else DEFAULT_LANGUAGE


def rank(term: Term, language: str) -> int:
    """Rank a label literal for a reader: their language, then English, then untagged, then any."""
    if term.lang == language:
        return 0
    if term.lang == DEFAULT_LANGUAGE:
        return 1
    if not term.lang:
        return 2
    return 3


class Labels:
    """The best label of each IRI for one reader's language."""

    def __init__(self, reader: Reader, found: dict[str, list[Term]], language: str) -> None:
        self.reader = reader
        self.language = language
        self._found = found

    @classmethod
    def fetch(cls, reader: Reader, subjects: Iterable[str], language: str) -> Labels:
        """Look up the labels of many IRIs in one query."""
        wanted = [s for s in set(subjects) if s]
        found: dict[str, list[Term]] = {}
        if wanted:
            rows = reader.select(
                f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values(wanted)} }} "
                f"VALUES ?p {{ {values(LABEL_PREDICATES)} }} ?x ?p ?l FILTER(isLiteral(?l)) }}"
            )
            for row in rows:
                found.setdefault(row["x"].value, []).append(row["l"])
        return cls(reader, found, language)

    def extend(self, subjects: Iterable[str]) -> None:
        """Look up the labels of more IRIs."""
        wanted = [s for s in subjects if s not in self._found]
        self._found.update(Labels.fetch(self.reader, wanted, self.language)._found)

    def get(self, iri: str) -> str | None:
        """Return the best label of an IRI, or None when it has none."""
        options = self._found.get(iri)
        if not options:
            return None
        return min(options, key=lambda t: (rank(t, self.language), t.value)).value

    def all(self, iri: str) -> list[Term]:
        """Return every label of an IRI, the reader's language first."""
        return sorted(self._found.get(iri, []), key=lambda t: (rank(t, self.language), t.value))

    def show(self, iri: str) -> str:
        """Return what to print for an IRI: its label, else its prefixed name."""
        return self.get(iri) or compact(iri)
