"""Check a store: the SHACL shapes, every ``queries/checks/*-violation.rq``, and the text.

A problem is reported, never raised, so that one run lists every problem at once; each names the
file, the named graph and the line where it can (``kg.graph.locations``), the focus node with
its label, and what is wrong in plain words. The text checks (quotes against the article text,
declared IRIs, value nodes two articles share) are in ``kg.graph.textcheck``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyshacl
from pyoxigraph import NamedNode, QuerySolutions, QueryTriples, RdfFormat, Store, parse
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from kg import iris, vocab
from kg.graph.locations import Locator
from kg.graph.materialise import STATEMENTS_GRAPH
from kg.graph.sources import (
    SHAPES_FILE,
    DataError,
    Source,
    all_sources,
    draft_ids,
)
from kg.graph.textcheck import ENTITIES_GRAPH, Finding, article_id, stubs, text_findings
from kg.resources import DATA_DIR, ontology_dir, queries_dir

SH = Namespace("http://www.w3.org/ns/shacl#")
STATEMENTS = NamedNode(STATEMENTS_GRAPH)
SCHEMA_IS_PART_OF = NamedNode(vocab.SCHEMA + "isPartOf")
RDF_SUBJECT, RDF_PREDICATE = NamedNode(vocab.RDF + "subject"), NamedNode(vocab.RDF + "predicate")

SHAPED_DATA = f"""
CONSTRUCT {{ ?s ?p ?o }}
WHERE {{
  {{ ?s ?p ?o }}
  UNION
  {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g NOT IN (<{iris.WIKIDATA_GRAPH}>, <{iris.VOID_GRAPH}>)) }}
}}
"""
STUB_MESSAGE = (
    "typed only schema:Thing, a stub `kg draft` proposed: give it its real type "
    "(schema:Person, schema:Organization, schema:Place, ...) or delete it"
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the data: which check found it, on what, why, and where."""

    check: str
    focus: str
    message: str
    file: Path | None = None
    graph: str | None = None
    line: int | None = None
    node: str | None = field(default=None, compare=False, repr=False)
    predicate: str | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        """Render the problem as one line a person can act on."""
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line else f"{self.file}: "
        graph = f"graph <{self.graph}>: " if self.graph else ""
        focus = f"{self.focus}: " if self.focus else ""
        return f"{where}{graph}{self.check}: {focus}{self.message}"


def validate(
    store: Store,
    *,
    shapes: Path | None = None,
    checks: Path | None = None,
    data_dir: Path = DATA_DIR,
) -> list[Problem]:
    """Return every problem the shapes, the violation queries and the text checks find.

    Draft claims of draft articles (still to be written) and their consequences, such as an
    empty claim graph, are not problems; ``draft_notes`` counts them.
    """
    shapes = shapes or ontology_dir() / SHAPES_FILE
    checks = checks or queries_dir() / "checks"
    findings, waiting = text_findings(store, data_dir)
    locator = Locator(all_sources(data_dir, include_drafts=True))
    found = shape_problems(store, shapes) + check_problems(store, checks)
    found += [from_finding(f) for f in findings]
    found += [
        Problem("draft", f"<{stub}>", STUB_MESSAGE, node=stub)
        for stub in sorted(stubs(store))
        if draft_of(locator, stub, data_dir) is None
    ]
    located = [locate(p, locator) for p in explained(found) if (p.node or p.focus) not in waiting]
    return sorted(dict.fromkeys(located), key=str)


def explained(problems: list[Problem]) -> list[Problem]:
    """Leave out the shape results a violation check explains on the same node and property.

    A value written as a triple where it competes breaks a shape's count on the entity too; the
    check that names the statement to write instead is the one a person can act on.
    """
    pinned = {
        (p.node, p.predicate)
        for p in problems
        if not p.check.startswith("shape") and p.node and p.predicate
    }
    return [
        p
        for p in problems
        if not p.check.startswith("shape") or (p.node, p.predicate) not in pinned
    ]


def from_finding(finding: Finding) -> Problem:
    """Turn a text check's finding into a problem."""
    return Problem(
        finding.check,
        f"<{finding.node}>",
        finding.message,
        graph=finding.graph,
        node=finding.node,
        predicate=finding.predicate,
    )


def locate(problem: Problem, locator: Locator) -> Problem:
    """Add the file, graph and line where the problem's node is written, when known."""
    node = problem.node or problem.focus
    place = locator.place(node, problem.graph, problem.predicate)
    if place is None and problem.graph is not None:
        place = locator.place(node, None, problem.predicate)
    if place is None:
        return problem
    return replace(problem, file=place.file, graph=problem.graph or place.graph, line=place.line)


def draft_of(locator: Locator, entity: str, data_dir: Path) -> str | None:
    """Return the draft article whose folder declares an entity, or None."""
    place = locator.place(entity, ENTITIES_GRAPH)
    if place is None:
        return None
    folder = place.file.parent
    drafts = set(draft_ids(data_dir))
    return folder.name if folder.parent.name == "articles" and folder.name in drafts else None


def draft_notes(store: Store, data_dir: Path = DATA_DIR) -> list[str]:
    """Say, for each draft article, what is left to do and that builds leave it out."""
    _, waiting = text_findings(store, data_dir)
    locator = Locator(all_sources(data_dir, include_drafts=True))
    stubbed = [draft_of(locator, stub, data_dir) for stub in stubs(store)]
    notes = []
    for ident in draft_ids(data_dir):
        claims = sum(1 for c in waiting if c.startswith(f"{iris.ID_NS}claim/{ident}/"))
        folder = data_dir / "articles" / ident
        notes.append(
            f"draft {ident}: {claims} claim(s) still marked Draft, {stubbed.count(ident)} entity "
            f"stub(s); builds leave it out until {folder / 'DRAFT.md'} is deleted"
        )
    return notes


def file_problems(sources: Iterable[Source]) -> list[Problem]:
    """Parse every data file on its own and report each one that is not valid RDF."""
    found = []
    for source in sources:
        try:
            for _ in parse(path=source.path, format=source.format):
                pass
        except SyntaxError as error:
            line = error.lineno if error.lineno else None
            found.append(Problem("syntax", "", str(error.msg), source.path, line=line))
        except (OSError, ValueError) as error:
            found.append(Problem("syntax", "", str(error), source.path))
    return found


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
    """Run the SHACL shapes over the store and list the violations in plain words."""
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
        assert isinstance(result, Node)
        shape = report.value(result, SH.sourceShape)
        path = report.value(result, SH.resultPath)
        focus = report.value(result, SH.focusNode)
        where = f" {path.n3(report.namespace_manager)}" if path is not None else ""
        problems.append(
            Problem(
                f"shape {shape_name(shape)}",
                describe(data, focus) + where,
                plain_message(report, result, shapes_graph, data),
                node=named_node_of(data, focus),
                predicate=str(path) if isinstance(path, URIRef) else None,
            )
        )
    return sorted(problems, key=str)


def plain_message(report: Graph, result: Node, shapes: Graph, data: Graph) -> str:
    """Say what a SHACL result means: the shape's own message, else the constraint in words."""
    shape = report.value(result, SH.sourceShape)
    written = shapes.value(shape, SH.message)
    if written is not None:
        return str(written)
    component = str(report.value(result, SH.sourceConstraintComponent)).removeprefix(str(SH))
    path = report.value(result, SH.resultPath)
    value = report.value(result, SH.value)
    named = path.n3(report.namespace_manager) if path is not None else "value"
    shown = describe(data, value) if value is not None else "the value"

    def setting(name: str) -> str:
        return str(shapes.value(shape, SH[name]))

    words = {
        "MinCountConstraintComponent": f"needs at least {setting('minCount')} {named}",
        "MaxCountConstraintComponent": f"has more than {setting('maxCount')} {named}",
        "ClassConstraintComponent": f"{shown} is not typed {compact(shapes, setting('class'))}",
        "DatatypeConstraintComponent": (
            f"{shown} is not an {compact(shapes, setting('datatype'))} literal"
        ),
        "NodeKindConstraintComponent": f"{shown} must be {compact(shapes, setting('nodeKind'))}",
    }
    return words.get(component, str(report.value(result, SH.resultMessage)))


def compact(graph: Graph, iri: str) -> str:
    """Return an IRI as a prefixed name when the graph knows its namespace."""
    return URIRef(iri).n3(graph.namespace_manager)


def label_of(data: Graph, node: object) -> str | None:
    """Return a node's label (English first), if the data gives one."""
    if not isinstance(node, URIRef):
        return None
    labels = list(data.objects(node, RDFS.label))
    english = [
        str(label) for label in labels if isinstance(label, Literal) and label.language == "en"
    ]
    found = english or [str(label) for label in labels]
    return found[0] if found else None


def describe(data: Graph, node: object) -> str:
    """Name a node with its label; a blank node is named by the statement that points at it."""
    if isinstance(node, BNode):
        for subject, predicate in data.subject_predicates(node):
            return f"[the {predicate.n3(data.namespace_manager)} of {describe(data, subject)}]"
        return "[a blank node]"
    if isinstance(node, Literal):
        return node.n3(data.namespace_manager)
    label = label_of(data, node)
    return f"<{node}>" + (f' ("{label}")' if label else "")


def named_node_of(data: Graph, node: object, depth: int = 0) -> str | None:
    """Return the IRI a focus node is written under (a blank node's nearest named owner)."""
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, BNode) and depth < 5:
        for subject, _ in data.subject_predicates(node):
            return named_node_of(data, subject, depth + 1)
    return None


def shape_name(shape: object) -> str:
    """Return a shape's short name, or a note that it is an inner (blank) shape."""
    text = str(shape)
    return text.removeprefix(iris.SHAPES_NS) if text.startswith(iris.SHAPES_NS) else "(inner)"


def term_text(term: object) -> str:
    """Return an RDF term's lexical value (an IRI, a literal's text), or "-" when unbound."""
    return str(getattr(term, "value", "-"))


def check_problems(store: Store, checks: Path) -> list[Problem]:
    """Run every violation query; each row it returns (?focus, ?message) is a problem.

    A focus that is a built statement is written nowhere: its problem is placed where its
    subject and property are written in its claim or fact graph.
    """
    problems = []
    for check in sorted(checks.glob("*-violation.rq")):
        text = check.read_text(encoding="utf-8")
        try:
            rows = store.query(text, use_default_graph_as_union=True)
        except SyntaxError as error:
            raise DataError(f"{check}: {error}") from None
        if not isinstance(rows, QuerySolutions):
            raise DataError(f"{check}: a violation check must be a SELECT of ?focus and ?message")
        for row in rows:
            focus = row["focus"]
            graph, node, predicate = (
                stated_at(store, focus) if isinstance(focus, NamedNode) else (None, None, None)
            )
            problems.append(
                Problem(
                    check.stem,
                    term_text(focus),
                    term_text(row["message"]),
                    graph=graph,
                    node=node,
                    predicate=predicate,
                )
            )
    return problems


def stated_at(store: Store, focus: NamedNode) -> tuple[str | None, str | None, str | None]:
    """Return the graph, subject and property a built statement states, or Nones for others."""
    found = []
    for predicate in (SCHEMA_IS_PART_OF, RDF_SUBJECT, RDF_PREDICATE):
        values = store.quads_for_pattern(focus, predicate, None, STATEMENTS)
        found.append(
            next((q.object.value for q in values if isinstance(q.object, NamedNode)), None)
        )
    if None in found:
        return None, None, None
    return found[0], found[1], found[2]


__all__ = ["Problem", "Sequence", "article_id", "draft_notes", "file_problems", "validate"]
