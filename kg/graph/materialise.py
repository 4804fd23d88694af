"""Materialise at build what plain queries need, into two generated graphs.

The data files say each thing once; a query should not need to know the ontology's axioms or walk
from a claim to its article to ask a plain question. After loading, ``materialise(store)`` writes

- ``graph/statements``: every value as an explicit statement, with its rank, provenance, status
  and date bounds (``kg.graph.statements``);
- ``graph/inferred``: the ``rdfs:subPropertyOf`` / ``rdfs:subClassOf`` closure of every minted term
  (so ``prov:wasAttributedTo`` or ``schema:Place`` find what ``pek:accordingTo`` or ``pek:Border``
  say), each claim's date and author (its article's), and ``schema:mentions`` from each article
  to every entity its claims name.

Both graphs are replaced whole on every build; nothing in them is ever edited by hand.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from pyoxigraph import BlankNode, NamedNode, Quad, Store

from kg import iris
from kg.graph.statements import PEK, full_statements, solutions
from kg.vocab import RDF, RDFS, SCHEMA, SKOS

STATEMENTS_GRAPH = iris.GRAPH_NS + "statements"
INFERRED_GRAPH = iris.GRAPH_NS + "inferred"
GENERATED_GRAPHS = (STATEMENTS_GRAPH, INFERRED_GRAPH)
NOT_ENTAILED = frozenset(
    NamedNode(g)
    for g in (iris.ONTOLOGY_GRAPH, iris.WIKIDATA_GRAPH, iris.VOID_GRAPH, INFERRED_GRAPH)
)
"""Graphs whose triples are not closed over: the axioms themselves, Wikidata's, descriptions."""
SKOS_CONCEPT_SCHEME = SKOS + "ConceptScheme"


def materialise(store: Store) -> None:
    """Replace the generated graphs with what the loaded graphs entail."""
    for graph in GENERATED_GRAPHS:
        if store.contains_named_graph(NamedNode(graph)):
            store.remove_graph(NamedNode(graph))
    store.extend(full_statements(store, STATEMENTS_GRAPH))
    inferred = NamedNode(INFERRED_GRAPH)
    quads = [*closure(store), *claim_dates_and_authors(store), *mentions(store)]
    store.extend(
        {
            Quad(q.subject, q.predicate, q.object, inferred)
            for q in quads
            if not any(True for _ in store.quads_for_pattern(q.subject, q.predicate, q.object))
        }
    )


def super_terms(store: Store, axiom: str) -> dict[NamedNode, set[NamedNode]]:
    """Return each minted term's super-terms under an axiom (subClassOf, subPropertyOf), closed."""
    rows = solutions(
        store,
        f"""SELECT ?term ?super WHERE {{ GRAPH <{iris.ONTOLOGY_GRAPH}> {{
          ?term <{RDFS}{axiom}>+ ?super
          FILTER(isIRI(?super) && STRSTARTS(STR(?term), "{PEK}")) }} }}""",
    )
    found: dict[NamedNode, set[NamedNode]] = defaultdict(set)
    for row in rows:
        found[row["term"]].add(row["super"])
    return found


def closure(store: Store) -> Iterator[Quad]:
    """Yield the super-property and super-class triples of the minted terms' uses.

    Triples with a blank node are left out: it would be shared with another graph.
    """
    rdf_type = NamedNode(RDF + "type")
    for prop, supers in super_terms(store, "subPropertyOf").items():
        for quad in store.quads_for_pattern(None, prop, None):
            if quad.graph_name in NOT_ENTAILED or has_blank(quad):
                continue
            for parent in supers:
                yield Quad(quad.subject, parent, quad.object)
    for cls, supers in super_terms(store, "subClassOf").items():
        for quad in store.quads_for_pattern(None, rdf_type, cls):
            if quad.graph_name in NOT_ENTAILED or has_blank(quad):
                continue
            for parent in supers:
                yield Quad(quad.subject, rdf_type, parent)


def has_blank(quad: Quad) -> bool:
    """Tell whether a triple has a blank node as subject or value."""
    return isinstance(quad.subject, BlankNode) or isinstance(quad.object, BlankNode)


def claim_dates_and_authors(store: Store) -> Iterator[Quad]:
    """Yield each claim's date and author: the time it speaks for is its article's date."""
    rows = solutions(
        store,
        f"""SELECT DISTINCT ?claim ?date ?author WHERE {{
          ?claim a <{SCHEMA}Claim> ; <{SCHEMA}appearance> ?article .
          FILTER NOT EXISTS {{ ?claim a <{PEK}ClaimStatement> }}
          OPTIONAL {{ ?article <{SCHEMA}datePublished> ?date }}
          OPTIONAL {{ ?article <{SCHEMA}author> ?author }}
        }}""",
    )
    for row in rows:
        for predicate, key in (("datePublished", "date"), ("author", "author")):
            if row[key] is not None:
                yield Quad(row["claim"], NamedNode(SCHEMA + predicate), row[key])


def mentions(store: Store) -> Iterator[Quad]:
    """Yield schema:mentions from each article to every entity one of its claims names."""
    rows = solutions(
        store,
        f"""SELECT DISTINCT ?article ?entity WHERE {{
          ?claim a <{SCHEMA}Claim> ; <{SCHEMA}appearance> ?article .
          GRAPH ?claim {{ {{ ?entity ?p ?o }} UNION {{ ?s ?p ?entity }} }}
          GRAPH <{iris.GRAPH_NS}entities> {{ ?entity a ?type }}
          FILTER(?type != <{SKOS_CONCEPT_SCHEME}>)
        }}""",
    )
    for row in rows:
        yield Quad(row["article"], NamedNode(SCHEMA + "mentions"), row["entity"])
