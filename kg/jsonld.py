"""The project's JSON-LD @context and compaction with it (served at /context.jsonld)."""

from __future__ import annotations

import json
from typing import Any

import rdflib
from pyoxigraph import BlankNode, NamedNode, RdfFormat, parse
from pyoxigraph import Literal as OxLiteral
from rdflib.plugins.serializers.jsonld import from_rdf

from kg.vocab import PREFIXES, XSD_STRING

CONTEXT_PATH = "/context.jsonld"

CONTEXT: dict[str, Any] = dict(PREFIXES)
"""Prefixes only: compact IRIs stay readable and round-trip to the same triples."""


def context_document() -> bytes:
    """Return the @context as the JSON-LD document served at CONTEXT_PATH."""
    return json.dumps({"@context": CONTEXT}, indent=2).encode()


def compact(nquads: bytes) -> bytes:
    """Rewrite an N-Quads dataset as JSON-LD compacted with the project's @context.

    Each graph is compacted on its own (rdflib's Dataset serializer goes through deprecated
    paths of rdflib itself), then the named graphs are nested as ``{"@id": ..., "@graph": ...}``.
    """
    graphs: dict[str | None, rdflib.Graph] = {}
    for quad in parse(nquads, format=RdfFormat.N_QUADS):
        name = None if not isinstance(quad.graph_name, NamedNode) else quad.graph_name.value
        triple = (_term(quad.subject), _term(quad.predicate), _term(quad.object))
        graphs.setdefault(name, rdflib.Graph()).add(triple)
    nodes = _nodes(graphs.pop(None)) if None in graphs else []
    for name in sorted(n for n in graphs if n is not None):
        nodes.append({"@id": compact_iri(name), "@graph": _nodes(graphs[name])})
    document = {"@context": CONTEXT, "@graph": nodes}
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


def compact_iri(iri: str) -> str:
    """Write an IRI as prefix:suffix when a prefix of the context covers it."""
    for prefix, namespace in CONTEXT.items():
        suffix = iri[len(namespace) :]
        if iri.startswith(namespace) and suffix and not suffix.startswith("//"):
            return f"{prefix}:{suffix}"
    return iri


def _nodes(graph: rdflib.Graph) -> list[Any]:
    """Return the compacted node objects of one graph."""
    compacted: dict[str, Any] = from_rdf(  # type: ignore[no-untyped-call]
        graph, context_data=CONTEXT, auto_compact=True
    )
    compacted.pop("@context", None)
    if "@graph" in compacted:
        nodes: list[Any] = compacted["@graph"]
        return nodes
    return [compacted] if compacted else []


def _term(term: Any) -> rdflib.term.Node:
    """Convert a pyoxigraph term to rdflib's."""
    if isinstance(term, NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, OxLiteral):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        # normalize=False keeps the lexical form as written ("…Z" stays "…Z", "01.50" stays).
        return rdflib.Literal(
            term.value, datatype=None if datatype == XSD_STRING else datatype, normalize=False
        )
    raise ValueError(f"JSON-LD 1.1 cannot hold the RDF 1.2 triple term {term}")
