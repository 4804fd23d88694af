"""The project's JSON-LD @context and compaction with it (served at /context.jsonld)."""

from __future__ import annotations

import json
from typing import Any

import rdflib

from kg.iris import GRAPH_NS, ID_NS, ONTOLOGY_NS, WIKIDATA_ENTITY

CONTEXT_PATH = "/context.jsonld"

CONTEXT: dict[str, Any] = {
    "kg": ONTOLOGY_NS,
    "id": ID_NS,
    "graph": GRAPH_NS,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "http://schema.org/",
    "oa": "http://www.w3.org/ns/oa#",
    "np": "http://www.nanopub.org/nschema#",
    "void": "http://rdfs.org/ns/void#",
    "sd": "http://www.w3.org/ns/sparql-service-description#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": WIKIDATA_ENTITY,
    "wdt": "http://www.wikidata.org/prop/direct/",
}
"""Prefixes only: compact IRIs stay readable and round-trip to the same triples."""


def context_document() -> bytes:
    """Return the @context as the JSON-LD document served at CONTEXT_PATH."""
    return json.dumps({"@context": CONTEXT}, indent=2).encode()


def compact(nquads: bytes) -> bytes:
    """Rewrite an N-Quads dataset as JSON-LD compacted with the project's @context."""
    dataset = rdflib.Dataset()
    dataset.parse(data=nquads, format="nquads")
    text = dataset.serialize(format="json-ld", context=CONTEXT, auto_compact=True)
    return text.encode()
