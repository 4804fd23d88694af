"""Labels for the pages: fetch them in one query and pick the best one for the reader's language."""

from __future__ import annotations

from collections.abc import Iterable

from kg import iris
from kg.web.pages_sparql import Term, select, values

LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"

LABEL_PREDICATES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://schema.org/name",
    "https://schema.org/name",
    "http://schema.org/headline",
    "https://schema.org/headline",
    "http://purl.org/dc/terms/title",
)

PREFIXES = {
    "kg": iris.ONTOLOGY_NS,
    "id": iris.ID_NS,
    "graph": iris.GRAPH_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "schema": "https://schema.org/",
    "schemahttp": "http://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "dcterms": "http://purl.org/dc/terms/",
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "time": "http://www.w3.org/2006/time#",
    "qudt": "http://qudt.org/schema/qudt/",
    "unit": "http://qudt.org/vocab/unit/",
    "cur": "http://qudt.org/vocab/currency/",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "sh": "http://www.w3.org/ns/shacl#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "wd": iris.WIKIDATA_ENTITY,
    "wdt": "http://www.wikidata.org/prop/direct/",
    "p": "http://www.wikidata.org/prop/",
    "ps": "http://www.wikidata.org/prop/statement/",
    "pq": "http://www.wikidata.org/prop/qualifier/",
}


def compact(iri: str) -> str:
    """Return a prefixed name for an IRI when a known namespace fits, else the IRI itself."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
            best = prefix
    if not best:
        return iri
    shown = "schema" if best == "schemahttp" else best
    return f"{shown}:{iri[len(PREFIXES[best]) :]}"


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

    def __init__(self, found: dict[str, list[Term]], language: str) -> None:
        self.language = language
        self._found = found

    @classmethod
    def fetch(cls, subjects: Iterable[str], language: str) -> Labels:
        """Look up the labels of many IRIs in one query."""
        wanted = [s for s in set(subjects) if s]
        found: dict[str, list[Term]] = {}
        if wanted:
            rows = select(
                f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values(wanted)} }} "
                f"VALUES ?p {{ {values(LABEL_PREDICATES)} }} ?x ?p ?l FILTER(isLiteral(?l)) }}"
            )
            for row in rows:
                found.setdefault(row["x"].value, []).append(row["l"])
        return cls(found, language)

    def extend(self, subjects: Iterable[str]) -> None:
        """Look up the labels of more IRIs."""
        wanted = [s for s in subjects if s not in self._found]
        self._found.update(Labels.fetch(wanted, self.language)._found)

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
