"""Labels for the pages: fetch them in few queries and pick the best one for the reader's language.

A label comes from the label properties, in their order of preference; the reader's language
wins, then English, then untagged text. What has none is named by what it is: a sentence by its
quote, a review by the words it reviews, a statement by its subject, property and value; a
standard term by the pages' own names for it (``vocabulary``). IRIs with nothing to show are
written as prefixed names (``kg.vocab.compact``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg.vocab import DCTERMS, OA, RDF, RDFS_LABEL, SCHEMA, SCHEMA_HTTP, SKOS, compact
from kg.web.pages.reader import Reader, Row, Term, values
from kg.web.pages.vocabulary import NAMES

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
"""Label properties, the preferred first."""

NAMED_BY_WHAT_THEY_ARE = (
    f"{{ ?x <{OA}hasSelector>/<{OA}exact> ?text }} "
    f"UNION {{ ?x <{SCHEMA}claimReviewed> ?text }} "
    f"UNION {{ ?x <{RDF}subject> ?s ; <{RDF}predicate> ?sp ; <{RDF}object> ?o "
    f"OPTIONAL {{ ?o <{SCHEMA}value> ?amount }} }}"
)
"""What names a resource without a label: a sentence's quote, a review's claim, a statement."""


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


@dataclass(frozen=True)
class Label:
    """One candidate label: its text (with language) and how preferred its property is."""

    term: Term
    order: int
    derived: bool = False
    """Named by what the resource is (a quote, a statement), not by a label property."""


class Labels:
    """The best label of each IRI for one reader's language, looked up when first needed.

    ``extend`` only notes IRIs; the first question about any label looks up every IRI noted so
    far in one query (and one more for the parts of statements), so a page that gathers its
    IRIs in several steps still asks for their labels in few round trips.
    """

    def __init__(self, reader: Reader, found: dict[str, list[Label]], language: str) -> None:
        self.reader = reader
        self.language = language
        self._found = found
        self._pending: set[str] = set()

    @classmethod
    def fetch(cls, reader: Reader, subjects: Iterable[str], language: str) -> Labels:
        """Return the labels of many IRIs, looked up when first asked for."""
        labels = cls(reader, {}, language)
        labels.extend(subjects)
        return labels

    def extend(self, subjects: Iterable[str]) -> None:
        """Note more IRIs whose labels will be needed."""
        self._pending.update(s for s in subjects if s and s not in self._found)

    def _resolve(self) -> None:
        """Look up every IRI noted since the last look-up."""
        wanted = sorted(self._pending - set(self._found))
        self._pending.clear()
        if not wanted:
            return
        rows = self.reader.select(
            f"SELECT ?x ?p ?l ?text ?s ?sp ?o ?amount WHERE {{ VALUES ?x {{ {values(wanted)} }} "
            f"{{ VALUES ?p {{ {values(LABEL_PREDICATES)} }} ?x ?p ?l FILTER(isLiteral(?l)) }} "
            f"UNION {NAMED_BY_WHAT_THEY_ARE} }}"
        )
        statements: dict[str, Row] = {}
        for row in rows:
            subject = row["x"].value
            if "l" in row:
                order = LABEL_PREDICATES.index(row["p"].value)
                self._found.setdefault(subject, []).append(Label(row["l"], order))
            elif "text" in row:
                named = Label(row["text"], len(LABEL_PREDICATES), derived=True)
                self._found.setdefault(subject, []).append(named)
            elif "s" in row:
                statements.setdefault(subject, row)
        for subject in wanted:
            self._found.setdefault(subject, [])
            if not self._found[subject] and subject in NAMES:
                english, spanish = NAMES[subject]
                self._found[subject] = [
                    Label(Term("literal", english, "en"), len(LABEL_PREDICATES), derived=True),
                    Label(Term("literal", spanish, "es"), len(LABEL_PREDICATES), derived=True),
                ]
        self._name_statements({k: v for k, v in statements.items() if not self._found[k]})

    def _name_statements(self, statements: dict[str, Row]) -> None:
        """Name statements without a label by their subject, property and value."""
        parts = {t.value for row in statements.values() for t in row.values() if t.is_iri}
        self.extend(parts - set(statements))
        self._resolve()
        for iri, row in sorted(statements.items()):
            value = row.get("amount") or row["o"]
            shown = self.show(value.value) if value.is_iri else value.value
            if value.is_blank:
                shown = "[…]"
            text = f"{self.show(row['s'].value)} · {self.show(row['sp'].value)}: {shown}"
            composed = Term("literal", text, self.lang(row["s"].value))
            self._found[iri] = [Label(composed, len(LABEL_PREDICATES), derived=True)]

    def _best(self, iri: str) -> Label | None:
        """Return the preferred label of an IRI."""
        if self._pending:
            self._resolve()
        options = self._found.get(iri)
        if not options:
            return None
        return min(options, key=lambda o: (rank(o.term, self.language), o.order, o.term.value))

    def get(self, iri: str) -> str | None:
        """Return the best label of an IRI, or None when it has none."""
        best = self._best(iri)
        return best.term.value if best else None

    def lang(self, iri: str) -> str | None:
        """Return the language of the label shown for an IRI (None: untagged or no label)."""
        best = self._best(iri)
        return best.term.lang if best else None

    def other_lang(self, iri: str) -> str | None:
        """Return the label's language when it is not the page's, for a ``lang`` attribute."""
        found = self.lang(iri)
        return found if found and found != self.language else None

    def all(self, iri: str) -> list[Term]:
        """Return every label of an IRI from a label property, the reader's language first."""
        if self._pending:
            self._resolve()
        found = {o.term for o in self._found.get(iri, []) if not o.derived}
        return sorted(found, key=lambda t: (rank(t, self.language), t.value))

    def show(self, iri: str) -> str:
        """Return what to print for an IRI: its label, else its prefixed name."""
        return self.get(iri) or compact(iri)
