"""The SPARQL 1.1 Service Description of the endpoint, as triples (no store, no web framework)."""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import BlankNode, NamedNode, Triple

from kg.formats import ALL_FORMATS
from kg.vocab import RDF_TYPE, SD

TYPE = NamedNode(RDF_TYPE)


def service_description(endpoint: str, named_graphs: Iterable[str]) -> list[Triple]:
    """Describe the endpoint: its URL, language, result formats and union default graph."""
    service = NamedNode(endpoint)
    dataset = BlankNode()
    default_graph = BlankNode()
    triples = [
        Triple(service, TYPE, NamedNode(SD + "Service")),
        Triple(service, NamedNode(SD + "endpoint"), service),
        Triple(service, NamedNode(SD + "supportedLanguage"), NamedNode(SD + "SPARQL11Query")),
        Triple(service, NamedNode(SD + "feature"), NamedNode(SD + "UnionDefaultGraph")),
        Triple(service, NamedNode(SD + "feature"), NamedNode(SD + "BasicFederatedQuery")),
        Triple(service, NamedNode(SD + "defaultDataset"), dataset),
        Triple(dataset, TYPE, NamedNode(SD + "Dataset")),
        Triple(dataset, NamedNode(SD + "defaultGraph"), default_graph),
        Triple(default_graph, TYPE, NamedNode(SD + "Graph")),
    ]
    for found in ALL_FORMATS:
        triples.append(Triple(service, NamedNode(SD + "resultFormat"), NamedNode(found.iri)))
    for graph in named_graphs:
        named = BlankNode()
        triples.append(Triple(dataset, NamedNode(SD + "namedGraph"), named))
        triples.append(Triple(named, TYPE, NamedNode(SD + "NamedGraph")))
        triples.append(Triple(named, NamedNode(SD + "name"), NamedNode(graph)))
    return triples
