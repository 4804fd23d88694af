"""The SPARQL 1.1 Service Description of the endpoint, as triples (no store, no web framework)."""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import BlankNode, NamedNode, Triple

from kg.protocol.negotiate import GRAPH_FORMATS, SOLUTION_FORMATS

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
    "application/trig": "TriG",
    "application/n-quads": "N-Quads",
}
"""The W3C format IRI (https://www.w3.org/ns/formats/) of each format this endpoint writes."""


def service_description(endpoint: str, named_graphs: Iterable[str]) -> list[Triple]:
    """Describe the endpoint: its URL, language, result formats and union default graph."""
    service = NamedNode(endpoint)
    dataset = BlankNode()
    default_graph = BlankNode()
    triples = [
        Triple(service, RDF_TYPE, NamedNode(SD + "Service")),
        Triple(service, NamedNode(SD + "endpoint"), service),
        Triple(service, NamedNode(SD + "supportedLanguage"), NamedNode(SD + "SPARQL11Query")),
        Triple(service, NamedNode(SD + "feature"), NamedNode(SD + "UnionDefaultGraph")),
        Triple(service, NamedNode(SD + "feature"), NamedNode(SD + "BasicFederatedQuery")),
        Triple(service, NamedNode(SD + "defaultDataset"), dataset),
        Triple(dataset, RDF_TYPE, NamedNode(SD + "Dataset")),
        Triple(dataset, NamedNode(SD + "defaultGraph"), default_graph),
        Triple(default_graph, RDF_TYPE, NamedNode(SD + "Graph")),
    ]
    for offer in (*SOLUTION_FORMATS, *GRAPH_FORMATS):
        iri = NamedNode(FORMATS + FORMAT_IRIS[offer[0]])
        triples.append(Triple(service, NamedNode(SD + "resultFormat"), iri))
    for graph in named_graphs:
        named = BlankNode()
        triples.append(Triple(dataset, NamedNode(SD + "namedGraph"), named))
        triples.append(Triple(named, RDF_TYPE, NamedNode(SD + "NamedGraph")))
        triples.append(Triple(named, NamedNode(SD + "name"), NamedNode(graph)))
    return triples
