"""Run the pages' queries through the one query path and read SPARQL JSON results into terms.

Every page's data comes from a ``Reader`` passed in by its view, so the data functions run
outside a request too (the tests call them directly).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import NamedNode

from kg import iris
from kg.errors import NotFound
from kg.execution.base import Outcome
from kg.pipeline import Services
from kg.vocab import XSD_BOOLEAN, XSD_STRING

RESULTS_JSON = "application/sparql-results+json"


@dataclass(frozen=True)
class Term:
    """One RDF term of a result row: an IRI, a blank node or a literal."""

    kind: str
    value: str
    lang: str | None = None
    datatype: str | None = None

    @property
    def is_iri(self) -> bool:
        """Tell whether the term is an IRI."""
        return self.kind == "uri"

    @property
    def is_minted(self) -> bool:
        """Tell whether the term is an IRI this project mints (so it has a local page)."""
        return self.is_iri and iris.is_minted(self.value)

    @property
    def is_blank(self) -> bool:
        """Tell whether the term is a blank node."""
        return self.kind == "bnode"


Row = dict[str, Term]


def term_of(binding: dict[str, str]) -> Term:
    """Build a Term from one SPARQL JSON binding.

    >>> term_of({"type": "literal", "value": "x", "datatype": XSD_STRING})
    Term(kind='literal', value='x', lang=None, datatype=None)
    """
    kind = "literal" if binding["type"] == "typed-literal" else binding["type"]
    datatype = binding.get("datatype")
    if kind == "literal" and datatype == XSD_STRING:
        datatype = None
    return Term(kind, binding["value"], binding.get("xml:lang"), datatype)


def checked_iri(iri: str) -> str:
    """Return the IRI in SPARQL syntax, or 404 when it is not a valid IRI."""
    try:
        return str(NamedNode(iri))
    except ValueError:
        raise NotFound(f"<{iri}> is not a valid IRI, so nothing can be described by it") from None


def values(iris_: Iterable[str]) -> str:
    """Return a VALUES block body listing IRIs (deduplicated, in a stable order).

    >>> values(["http://x/b", "http://x/a", "http://x/b"])
    '<http://x/a> <http://x/b>'
    """
    return " ".join(checked_iri(i) for i in sorted(set(iris_)))


@dataclass(frozen=True)
class Reader:
    """The pages' access to the graph: queries through the running instance's query path."""

    services: Services

    def select_table(self, text: str) -> tuple[list[str], list[Row]]:
        """Run a SELECT (or ASK) and return its variables and rows."""
        outcome = self.services.run_query(text, lambda _form: RESULTS_JSON)
        document = json.loads(outcome.read_all())
        if "boolean" in document:
            answer = Term("literal", str(document["boolean"]).lower(), datatype=XSD_BOOLEAN)
            return ["boolean"], [{"boolean": answer}]
        rows = [
            {name: term_of(binding) for name, binding in row.items()}
            for row in document["results"]["bindings"]
        ]
        return list(document["head"].get("vars", [])), rows

    def select(self, text: str) -> list[Row]:
        """Run a SELECT and return its rows."""
        return self.select_table(text)[1]

    def ask(self, text: str) -> bool:
        """Run an ASK and return its answer."""
        outcome = self.services.run_query(text, lambda _form: RESULTS_JSON)
        return bool(json.loads(outcome.read_all())["boolean"])

    def construct(self, text: str, media_type: str) -> Outcome:
        """Run a CONSTRUCT, serialized in the negotiated RDF format."""
        return self.services.run_query(text, lambda _form: media_type)
