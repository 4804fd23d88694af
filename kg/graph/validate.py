"""Check a store: the SHACL shapes, then every ``queries/checks/*-violation.rq``.

A problem is reported, never raised, so that one run lists every problem at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyshacl
from pyoxigraph import QuerySolutions, QueryTriples, RdfFormat, Store
from rdflib import RDF, BNode, Graph, Namespace

from kg import iris
from kg.graph.sources import SHAPES_FILE, DataError
from kg.resources import ontology_dir, queries_dir

SH = Namespace("http://www.w3.org/ns/shacl#")

SHAPED_DATA = f"""
CONSTRUCT {{ ?s ?p ?o }}
WHERE {{
  {{ ?s ?p ?o }}
  UNION
  {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN (<{iris.WIKIDATA_GRAPH}>, <{iris.VOID_GRAPH}>)) }}
}}
"""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data: which check found it, on what, and why."""

    check: str
    focus: str
    message: str

    def __str__(self) -> str:
        """Render the problem as one line a person can act on."""
        return f"{self.check}: {self.focus}: {self.message}"


def validate(
    store: Store, *, shapes: Path | None = None, checks: Path | None = None
) -> list[Problem]:
    """Return every problem the shapes and the violation queries find (none means valid)."""
    shapes = shapes or ontology_dir() / SHAPES_FILE
    checks = checks or queries_dir() / "checks"
    return shape_problems(store, shapes) + check_problems(store, checks)


def shaped_graph(store: Store) -> Graph:
    """Return the union of the store's layers (not the Wikidata extract) as an rdflib graph."""
    triples = store.query(SHAPED_DATA)
    if not isinstance(triples, QueryTriples):
        raise TypeError("SHAPED_DATA must be a CONSTRUCT query")
    data = triples.serialize(format=RdfFormat.N_TRIPLES)
    graph = Graph()
    graph.parse(data=data or b"", format="nt")
    return graph


def shape_problems(store: Store, shapes: Path) -> list[Problem]:
    """Run the SHACL shapes over the store and list the violations."""
    shapes_graph = Graph()
    try:
        shapes_graph.parse(shapes, format="turtle")
    except Exception as error:  # rdflib raises many unrelated types for bad Turtle
        raise DataError(f"{shapes}: {error}") from None
    data = shaped_graph(store)
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes_graph)
    if conforms:
        return []
    problems = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(result, SH.sourceShape)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        where = f" {path.n3(report.namespace_manager)}" if path is not None else ""
        problems.append(
            Problem(
                f"shape {shape_name(shape)}",
                describe(data, report.value(result, SH.focusNode)) + where,
                str(message),
            )
        )
    return sorted(problems, key=str)


def describe(data: Graph, node: object) -> str:
    """Name a focus node; a blank node is named by the statement that points at it."""
    if not isinstance(node, BNode):
        return f"<{node}>"
    for subject, predicate in data.subject_predicates(node):
        return f"[the {predicate.n3(data.namespace_manager)} of {describe(data, subject)}]"
    return "[a blank node]"


def shape_name(shape: object) -> str:
    """Return a shape's short name, or a note that it is an inner (blank) shape."""
    text = str(shape)
    return text.removeprefix(iris.SHAPES_NS) if text.startswith(iris.SHAPES_NS) else "(inner)"


def term_text(term: object) -> str:
    """Return an RDF term's lexical value (an IRI, a literal's text), or "-" when unbound."""
    return str(getattr(term, "value", "-"))


def check_problems(store: Store, checks: Path) -> list[Problem]:
    """Run every violation query; each row it returns (?focus, ?message) is a problem."""
    problems = []
    for check in sorted(checks.glob("*-violation.rq")):
        text = check.read_text(encoding="utf-8")
        try:
            rows = store.query(text, use_default_graph_as_union=True)
        except SyntaxError as error:
            raise DataError(f"{check}: {error}") from None
        if not isinstance(rows, QuerySolutions):
            raise DataError(f"{check}: a violation check must be a SELECT of ?focus and ?message")
        problems += [
            Problem(check.stem, term_text(row["focus"]), term_text(row["message"])) for row in rows
        ]
    return problems
