"""Every value as an explicit statement: rank, best rank, provenance, status and date bounds.

Wikidata keeps each fact twice: ``wdt:`` triples hold only the best value, and ``p:``/``ps:``
statements hold every value with its rank and references. The named graphs of this project are
the first kind (a claim graph or a verified fact's graph holds the best values as triples on the
entities, and a value that is not the best as an ``rdf:Statement`` only); this module builds the
second kind from them: one statement node per triple of a claim or fact graph (``rdf:type`` and
``rdfs:label`` aside, which name and classify rather than state) and per ``rdf:Statement`` written
there, with

- its layer (``pek:ClaimStatement`` or ``pek:VerifiedStatement``), the graph it belongs to
  (``schema:isPartOf``) and where it comes from (``prov:wasDerivedFrom`` the sentence, or the
  fact's sources);
- its Wikibase rank: verified statements are preferred, the article's normal, or deprecated when a
  review finds the value wrong; a statement is a ``wikibase:BestRank`` unless it is deprecated or a
  statement of higher rank gives the same subject and property a competing value (another literal
  in the same language, or any other value of an ``owl:FunctionalProperty``);
- for the article's statements, what fact-check markup needs of a claim (``schema:appearance``,
  ``schema:datePublished``, ``schema:author``) and exactly one ``pek:status``, the one its review's
  verdict maps to (``skos:broadMatch``), or unconfirmed when nobody reviewed it;
- ``pek:earliest`` and ``pek:latest`` for a date value of any precision.

A statement's IRI is built from its graph, subject, property and (for an IRI) value, so reviews
can name it: ``id/statement/<article>/<claim>.<subject>.<property>[.<value>]``, and
``id/statement/verified/<fact>.<subject>.<property>[.<value>]``, with ``@<language>`` after a
language-tagged value. A blank-node value is copied into
the statements graph, so that no blank node is shared between two graphs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, Store, Triple

from kg import iris
from kg.graph.dates import bounds, is_date
from kg.graph.sources import DataError
from kg.vocab import OWL, PROV, RDF, RDFS, SCHEMA, SKOS, WIKIBASE, XSD

PEK = iris.ONTOLOGY_NS

STATEMENT_NS = iris.ID_NS + "statement/"
CLAIM_STATEMENT = PEK + "ClaimStatement"
VERIFIED_STATEMENT = PEK + "VerifiedStatement"
UNCONFIRMED = PEK + "status/unconfirmed"
DEPRECATING_VERDICTS = frozenset({PEK + "verdict/corrected"})
"""Verdicts that find the value wrong: its statement is deprecated, never a best value."""

PREFERRED, NORMAL, DEPRECATED = (
    WIKIBASE + name for name in ("PreferredRank", "NormalRank", "DeprecatedRank")
)
RANK_ORDER = {DEPRECATED: 0, NORMAL: 1, PREFERRED: 2}
UNSTATED = frozenset({RDF + "type", RDFS + "label"})
"""Predicates that classify or name a thing rather than state a fact about it."""

Term = NamedNode | BlankNode | Literal | Triple


@dataclass(frozen=True)
class Layer:
    """A claim graph or a verified fact's graph, with where its statements come from."""

    graph: NamedNode
    verified: bool
    derived_from: tuple[NamedNode, ...]
    claim_facts: tuple[tuple[str, Term], ...] = ()
    """For a claim: (predicate, value) pairs each of its statements carries (article, date...)."""


@dataclass
class Statement:
    """One value of one layer, as a statement node."""

    iri: NamedNode
    layer: Layer
    subject: NamedNode
    predicate: NamedNode
    value: Term
    asserted: bool
    """True for a triple of the layer's graph, False for an rdf:Statement written there."""
    verdicts: set[str] = field(default_factory=set)
    statuses: set[str] = field(default_factory=set)
    verified_by: set[str] = field(default_factory=set)

    @property
    def rank(self) -> str:
        """Return the statement's Wikibase rank."""
        if self.layer.verified:
            return PREFERRED
        return DEPRECATED if self.verdicts & DEPRECATING_VERDICTS else NORMAL


def solutions(store: Store, query: str) -> QuerySolutions:
    """Run a build-time SELECT over the union of the graphs."""
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    return result


def claim_layers(store: Store) -> list[Layer]:
    """Return each claim graph with its sentence, article, the article's date and author."""
    rows = solutions(
        store,
        f"""SELECT ?claim ?sentence ?article ?date ?author WHERE {{
          ?claim a <{SCHEMA}Claim> ; <{PROV}wasDerivedFrom> ?sentence ;
            <{SCHEMA}appearance> ?article .
          OPTIONAL {{ ?article <{SCHEMA}datePublished> ?date }}
          OPTIONAL {{ ?article <{SCHEMA}author> ?author }}
        }} ORDER BY ?claim""",
    )
    layers = []
    for row in rows:
        claim = row["claim"]
        if not isinstance(claim, NamedNode) or not store.contains_named_graph(claim):
            continue
        facts = [(SCHEMA + "appearance", row["article"])]
        facts += [
            (SCHEMA + name, row[key])
            for name, key in (("datePublished", "date"), ("author", "author"))
            if row[key] is not None
        ]
        layers.append(Layer(claim, False, (row["sentence"],), tuple(facts)))
    return layers


def fact_layers(store: Store) -> list[Layer]:
    """Return each verified fact that has its own graph, with the fact's sources."""
    rows = solutions(
        store,
        f"""SELECT ?fact ?source WHERE {{ GRAPH <{iris.VERIFIED_GRAPH}> {{
          ?fact a <{PEK}VerifiedFact> ; <{PROV}wasDerivedFrom> ?source }}
        }} ORDER BY ?fact ?source""",
    )
    sources: dict[NamedNode, list[NamedNode]] = defaultdict(list)
    for row in rows:
        sources[row["fact"]].append(row["source"])
    return [
        Layer(fact, True, tuple(found))
        for fact, found in sources.items()
        if store.contains_named_graph(fact)
    ]


def local_name(term: NamedNode) -> str:
    """Return the last segment of an IRI (after its last '/' or '#')."""
    name = term.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    if not name:
        raise DataError(f"<{term.value}> has no local name to build a statement IRI from")
    return name


def statement_prefix(graph: NamedNode) -> str:
    """Return the start of the IRIs of a layer's statements."""
    path = graph.value.removeprefix(iris.ID_NS)
    if path.startswith("claim/"):
        return STATEMENT_NS + path.removeprefix("claim/") + "."
    if path.startswith("fact/"):
        return STATEMENT_NS + "verified/" + path.removeprefix("fact/") + "."
    return STATEMENT_NS + path.replace("/", ".") + "."


def statement_iri(
    graph: NamedNode, subject: NamedNode, predicate: NamedNode, value: Term
) -> NamedNode:
    """Return the IRI of the statement a triple of a layer makes."""
    parts = [local_name(subject), local_name(predicate)]
    if isinstance(value, NamedNode):
        parts.append(local_name(value))
    tag = f"@{value.language}" if isinstance(value, Literal) and value.language else ""
    return NamedNode(statement_prefix(graph) + ".".join(parts) + tag)


def one(store: Store, subject: NamedNode, predicate: str, graph: NamedNode) -> Term:
    """Return the single value of a property of a written rdf:Statement, or fail naming it."""
    found = [q.object for q in store.quads_for_pattern(subject, NamedNode(predicate), None, graph)]
    if len(found) != 1:
        raise DataError(f"<{subject.value}> in <{graph.value}> needs exactly one <{predicate}>")
    return found[0]


def statements_of(store: Store, layer: Layer) -> Iterator[Statement]:
    """Yield the statements of one layer: its triples on named subjects, and its rdf:Statements."""
    quads = list(store.quads_for_pattern(None, None, None, layer.graph))
    written = {
        q.subject
        for q in quads
        if q.predicate.value == RDF + "type" and q.object == NamedNode(RDF + "Statement")
    }
    for quad in quads:
        subject = quad.subject
        if not isinstance(subject, NamedNode) or subject in written:
            continue
        if quad.predicate.value in UNSTATED:
            continue
        iri = statement_iri(layer.graph, subject, quad.predicate, quad.object)
        yield Statement(iri, layer, subject, quad.predicate, quad.object, asserted=True)
    for node in written:
        if not isinstance(node, NamedNode):
            raise DataError(f"an rdf:Statement in <{layer.graph.value}> needs an IRI")
        about, predicate = (
            one(store, node, RDF + name, layer.graph) for name in ("subject", "predicate")
        )
        if not isinstance(about, NamedNode) or not isinstance(predicate, NamedNode):
            raise DataError(f"<{node.value}> needs an IRI as rdf:subject and rdf:predicate")
        value = one(store, node, RDF + "object", layer.graph)
        yield Statement(node, layer, about, predicate, value, asserted=False)


def collect(store: Store) -> list[Statement]:
    """Return the statements of every claim and fact graph, failing on an IRI used twice."""
    found: dict[NamedNode, Statement] = {}
    for layer in [*claim_layers(store), *fact_layers(store)]:
        for statement in statements_of(store, layer):
            twin = found.setdefault(statement.iri, statement)
            if twin is not statement:
                raise DataError(
                    f"two statements of <{layer.graph.value}> would share the IRI "
                    f"<{statement.iri.value}>; give one of them a distinct subject or property"
                )
    return list(found.values())


def attach_reviews(store: Store, statements: Iterable[Statement]) -> None:
    """Give each article statement its verdicts, the statuses they map to and confirming facts."""
    by_iri = {s.iri: s for s in statements if not s.layer.verified}
    rows = solutions(
        store,
        f"""SELECT ?item ?verdict ?status ?fact WHERE {{
          ?review a <{SCHEMA}ClaimReview> ; <{SCHEMA}itemReviewed> ?item .
          OPTIONAL {{ ?review <{SCHEMA}reviewRating> ?verdict .
            OPTIONAL {{ GRAPH <{iris.ONTOLOGY_GRAPH}> {{
              ?verdict <{SKOS}inScheme> <{PEK}verdicts> ; <{SKOS}broadMatch> ?status }} }} }}
          OPTIONAL {{ ?review <{PEK}verifiedBy> ?fact }}
        }}""",
    )
    reviewed = set()
    for row in rows:
        statement = by_iri.get(row["item"])
        if statement is None:
            continue
        reviewed.add(statement.iri)
        for key, into in (
            ("verdict", statement.verdicts),
            ("status", statement.statuses),
            ("fact", statement.verified_by),
        ):
            if row[key] is not None:
                into.add(row[key].value)
    for statement in by_iri.values():
        if statement.iri not in reviewed:
            statement.statuses.add(UNCONFIRMED)


def functional_properties(store: Store) -> set[NamedNode]:
    """Return the properties the ontology declares functional (one value per subject)."""
    kind = NamedNode(OWL + "FunctionalProperty")
    graph = NamedNode(iris.ONTOLOGY_GRAPH)
    return {
        q.subject
        for q in store.quads_for_pattern(None, NamedNode(RDF + "type"), kind, graph)
        if isinstance(q.subject, NamedNode)
    }


def competes(a: Term, b: Term, functional: bool) -> bool:
    """Tell whether two values of one subject and property cannot both be the best one."""
    if a == b:
        return False
    if functional:
        return True
    return isinstance(a, Literal) and isinstance(b, Literal) and a.language == b.language


def best(statements: list[Statement], functional: set[NamedNode]) -> set[NamedNode]:
    """Return the IRIs of the best-rank statements, the ones whose triples plain queries see."""
    groups: dict[tuple[NamedNode, NamedNode], list[Statement]] = defaultdict(list)
    for statement in statements:
        groups[(statement.subject, statement.predicate)].append(statement)
    found = set()
    for (_, predicate), group in groups.items():
        single = predicate in functional
        for statement in group:
            rank = RANK_ORDER[statement.rank]
            beaten = any(
                RANK_ORDER[other.rank] > rank and competes(other.value, statement.value, single)
                for other in group
            )
            if rank > RANK_ORDER[DEPRECATED] and not beaten:
                found.add(statement.iri)
    return found


class Writer:
    """The quads of the statements graph, collected before they are written."""

    def __init__(self, store: Store, graph: str) -> None:
        self.store = store
        self.graph = NamedNode(graph)
        self.quads: list[Quad] = []

    def add(self, subject: NamedNode | BlankNode, predicate: str, value: Term) -> None:
        """Add one triple to the statements graph."""
        self.quads.append(Quad(subject, NamedNode(predicate), value, self.graph))

    def add_bounds(self, subject: NamedNode | BlankNode, value: Literal) -> None:
        """Add the earliest and latest xsd:date of a date value to its holder."""
        found = bounds(value)
        if found is None:
            return
        for predicate, day in zip(("earliest", "latest"), found, strict=True):
            self.add(subject, PEK + predicate, Literal(day, datatype=NamedNode(XSD + "date")))

    def copy_value(self, node: BlankNode, source: NamedNode) -> BlankNode:
        """Copy a blank value node (and the ones inside it) into the statements graph."""
        copy = BlankNode()
        for quad in self.store.quads_for_pattern(node, None, None, source):
            value = quad.object
            if isinstance(value, BlankNode):
                value = self.copy_value(value, source)
            self.add(copy, quad.predicate.value, value)
            if is_date(value):
                self.add_bounds(copy, value)  # type: ignore[arg-type]
        return copy

    def statement(self, statement: Statement, is_best: bool) -> None:
        """Write one statement node with everything the full layer says of it."""
        node, layer = statement.iri, statement.layer
        self.add(
            node, RDF + "type", NamedNode(VERIFIED_STATEMENT if layer.verified else CLAIM_STATEMENT)
        )
        if statement.asserted:
            value = statement.value
            if isinstance(value, BlankNode):
                value = self.copy_value(value, layer.graph)
            self.add(node, RDF + "subject", statement.subject)
            self.add(node, RDF + "predicate", statement.predicate)
            self.add(node, RDF + "object", value)
        self.add(node, WIKIBASE + "rank", NamedNode(statement.rank))
        if is_best:
            self.add(node, RDF + "type", NamedNode(WIKIBASE + "BestRank"))
        self.add(node, SCHEMA + "isPartOf", layer.graph)
        for origin in layer.derived_from:
            self.add(node, PROV + "wasDerivedFrom", origin)
        for predicate, value in layer.claim_facts:
            self.add(node, predicate, value)
        for status in sorted(statement.statuses):
            self.add(node, PEK + "status", NamedNode(status))
        for fact in sorted(statement.verified_by):
            self.add(node, PEK + "verifiedBy", NamedNode(fact))
        if is_date(statement.value):
            self.add_bounds(node, statement.value)  # type: ignore[arg-type]


def full_statements(store: Store, graph: str) -> list[Quad]:
    """Return the quads of the full statements layer, to be written into graph."""
    statements = collect(store)
    attach_reviews(store, statements)
    best_ones = best(statements, functional_properties(store))
    writer = Writer(store, graph)
    for statement in statements:
        writer.statement(statement, statement.iri in best_ones)
    return writer.quads
