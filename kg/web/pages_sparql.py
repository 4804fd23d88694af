"""Run the pages' queries through the one query path and read SPARQL JSON results into terms."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import NamedNode

from kg import iris
from kg.errors import NotFound
from kg.execution.base import Outcome
from kg.web import services

RESULTS_JSON = "application/sparql-results+json"
XSD = "http://www.w3.org/2001/XMLSchema#"


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
    """Build a Term from one SPARQL JSON binding."""
    kind = "literal" if binding["type"] == "typed-literal" else binding["type"]
    datatype = binding.get("datatype")
    if kind == "literal" and datatype == XSD + "string":
        datatype = None
    return Term(kind, binding["value"], binding.get("xml:lang"), datatype)


def checked_iri(iri: str) -> str:
    """Return the IRI in SPARQL syntax, or 404 when it is not a valid IRI."""
    try:
        return str(NamedNode(iri))
    except ValueError:
        raise NotFound(f"<{iri}> is not a valid IRI, so nothing can be described by it") from None


def values(iris_: Iterable[str]) -> str:
    """Return a VALUES block body listing IRIs (deduplicated, in a stable order)."""
    return " ".join(checked_iri(i) for i in sorted(set(iris_)))


def select_table(text: str) -> tuple[list[str], list[Row]]:
    """Run a SELECT through the query path and return its variables and rows."""
    outcome = services().run_query(text, lambda _form: RESULTS_JSON)
    document = json.loads(outcome.read_all())
    if "boolean" in document:
        answer = Term("literal", str(document["boolean"]).lower(), datatype=XSD + "boolean")
        return ["boolean"], [{"boolean": answer}]
    rows = [
        {name: term_of(binding) for name, binding in row.items()}
        for row in document["results"]["bindings"]
    ]
    return list(document["head"].get("vars", [])), rows


def select(text: str) -> list[Row]:
    """Run a SELECT through the query path and return its rows."""
    return select_table(text)[1]


def ask(text: str) -> bool:
    """Run an ASK through the query path and return its answer."""
    outcome = services().run_query(text, lambda _form: RESULTS_JSON)
    return bool(json.loads(outcome.read_all())["boolean"])


def construct(text: str, media_type: str) -> Outcome:
    """Run a CONSTRUCT through the query path, serialized in the negotiated RDF format."""
    return services().run_query(text, lambda _form: media_type)
