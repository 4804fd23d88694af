"""Gather what an entity page shows: its statements, incoming links, graph contents and labels."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg import iris
from kg.vocab import OWL_SAME_AS, RDF_TYPE, RDFS_COMMENT, SCHEMA, SCHEMA_HTTP, SKOS
from kg.web.pages.labels import Labels
from kg.web.pages.reader import Reader, Row, Term, checked_iri

COMMENT_PREDICATES = (
    RDFS_COMMENT,
    SKOS + "definition",
    SCHEMA_HTTP + "description",
    SCHEMA + "description",
)
INCOMING_LIMIT = 500
GRAPH_LIMIT = 500


@dataclass
class Value:
    """One object of a statement, with the graphs that assert it and a blank node's own facts."""

    term: Term
    graphs: list[str] = field(default_factory=list)
    nested: list[tuple[Term, Term]] = field(default_factory=list)


@dataclass
class Statement:
    """One predicate of the entity with all its values."""

    predicate: Term
    values: list[Value]


@dataclass
class Incoming:
    """A statement that points at the entity from elsewhere."""

    subject: Term
    predicate: Term
    graphs: list[str]


@dataclass
class Entity:
    """Everything an entity page shows about one IRI."""

    iri: str
    statements: list[Statement]
    incoming: list[Incoming]
    contents: list[tuple[Term, Term, Term]]
    contents_count: int
    labels: Labels

    @property
    def exists(self) -> bool:
        """Tell whether the graph says anything about this IRI."""
        return bool(self.statements or self.incoming or self.contents_count)

    def objects(self, predicate: str) -> list[Term]:
        """Return the values of one predicate."""
        return [v.term for s in self.statements if s.predicate.value == predicate for v in s.values]

    @property
    def types(self) -> list[Term]:
        """Return the entity's classes."""
        return self.objects(RDF_TYPE)

    @property
    def wikidata(self) -> list[str]:
        """Return the Wikidata items this entity is the same as."""
        return [
            t.value
            for t in self.objects(OWL_SAME_AS)
            if t.is_iri and t.value.startswith(iris.WIKIDATA_ENTITY)
        ]

    @property
    def comment(self) -> str | None:
        """Return the description in the reader's language, if the graph has one."""
        found = [t for p in COMMENT_PREDICATES for t in self.objects(p) if t.kind == "literal"]
        if not found:
            return None
        wanted = self.labels.language
        return min(found, key=lambda t: (t.lang != wanted, t.lang != "en", t.value)).value

    @property
    def title(self) -> str:
        """Return the page title: the label, else the prefixed IRI."""
        return self.labels.show(self.iri)


def outgoing(reader: Reader, iri: str) -> list[Statement]:
    """Return the entity's statements grouped by predicate, blank-node values expanded once."""
    rows = reader.select(
        f"SELECT ?p ?o ?g ?p2 ?o2 WHERE {{ {iri} ?p ?o "
        f"OPTIONAL {{ GRAPH ?g {{ {iri} ?p ?o }} }} "
        "OPTIONAL { FILTER(isBlank(?o)) ?o ?p2 ?o2 } }"
    )
    grouped: dict[Term, dict[Term, Value]] = {}
    for row in rows:
        value = grouped.setdefault(row["p"], {}).setdefault(row["o"], Value(row["o"]))
        graph = row.get("g")
        if graph and graph.value not in value.graphs:
            value.graphs.append(graph.value)
        if "p2" in row and (row["p2"], row["o2"]) not in value.nested:
            value.nested.append((row["p2"], row["o2"]))
    return [
        Statement(p, sorted(vals.values(), key=lambda v: (v.term.kind, v.term.value)))
        for p, vals in sorted(
            grouped.items(), key=lambda item: (item[0].value != RDF_TYPE, item[0].value)
        )
    ]


def incoming(reader: Reader, iri: str) -> list[Incoming]:
    """Return the statements that point at the entity."""
    rows = reader.select(
        f"SELECT ?s ?p ?g WHERE {{ ?s ?p {iri} OPTIONAL {{ GRAPH ?g {{ ?s ?p {iri} }} }} }} "
        f"ORDER BY ?p ?s ?g LIMIT {INCOMING_LIMIT}"
    )
    found: dict[tuple[Term, Term], Incoming] = {}
    for row in rows:
        entry = found.setdefault((row["s"], row["p"]), Incoming(row["s"], row["p"], []))
        if "g" in row:
            entry.graphs.append(row["g"].value)
    return list(found.values())


def graph_contents(reader: Reader, graph: str) -> tuple[list[tuple[Term, Term, Term]], int]:
    """Return the first triples of a named graph and how many it holds."""
    count = reader.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }}")
    total = int(count[0]["n"].value) if count else 0
    if not total:
        return [], 0
    # Named subjects first: blank nodes sort in an order each build draws anew, so a cut through
    # them would show different triples of the same graph from one build to the next. Said
    # outright, since SPARQL sorts blank nodes before IRIs and Virtuoso after them.
    rows: list[Row] = reader.select(
        f"SELECT ?s ?p ?o WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }} "
        f"ORDER BY isBlank(?s) ?s ?p ?o LIMIT {GRAPH_LIMIT}"
    )
    return [(r["s"], r["p"], r["o"]) for r in rows], total


def documented_graph(iri: str) -> str:
    """Return the named graph whose contents document an IRI (the ontology lives in its graph)."""
    return iris.ONTOLOGY_GRAPH if iri == iris.ONTOLOGY else iri


def describe(reader: Reader, iri: str, language: str) -> Entity:
    """Gather an entity page's data through the query path."""
    node = checked_iri(iri)
    statements = outgoing(reader, node)
    links = incoming(reader, node)
    contents, total = graph_contents(reader, checked_iri(documented_graph(iri)))
    mentioned = {iri}
    for statement in statements:
        mentioned.add(statement.predicate.value)
        for value in statement.values:
            mentioned.update(t.value for pair in value.nested for t in pair if t.is_iri)
            if value.term.is_iri:
                mentioned.add(value.term.value)
            mentioned.update(value.graphs)
    for link in links:
        mentioned.update((link.predicate.value, *link.graphs))
        if link.subject.is_iri:
            mentioned.add(link.subject.value)
    for triple in contents:
        mentioned.update(t.value for t in triple if t.is_iri)
    labels = Labels.fetch(reader, mentioned, language)
    return Entity(iri, statements, links, contents, total, labels)
