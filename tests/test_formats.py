"""What the Service Description and VoID say the endpoint serves is what it serves."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from pyoxigraph import NamedNode, RdfFormat, Store, parse
from test_pages_data.support import mini_store

SD_RESULT_FORMAT = NamedNode("http://www.w3.org/ns/sparql-service-description#resultFormat")
W3C_FORMATS = {
    "SPARQL_Results_JSON": ("results", "application/sparql-results+json"),
    "SPARQL_Results_XML": ("results", "application/sparql-results+xml"),
    "SPARQL_Results_CSV": ("results", "text/csv"),
    "SPARQL_Results_TSV": ("results", "text/tab-separated-values"),
    "Turtle": ("rdf", "text/turtle"),
    "N-Triples": ("rdf", "application/n-triples"),
    "N-Quads": ("rdf", "application/n-quads"),
    "TriG": ("rdf", "application/trig"),
    "JSON-LD": ("rdf", "application/ld+json"),
    "RDF_XML": ("rdf", "application/rdf+xml"),
    "N3": ("rdf", "text/n3"),
    "RDFa": ("rdf", "text/html"),
    "LD_Patch": ("rdf", "text/ldpatch"),
}
"""Every format https://www.w3.org/ns/formats/ names that a SPARQL endpoint could serve."""
QUERIES = {"results": "SELECT * { ?s ?p ?o } LIMIT 1", "rdf": "CONSTRUCT WHERE { ?s ?p ?o }"}


def served(client: FlaskClient) -> set[str]:
    """Return the W3C formats the endpoint answers a query in when asked for by Accept."""
    found = set()
    for name, (kind, media_type) in W3C_FORMATS.items():
        response = client.get(
            "/sparql", query_string={"query": QUERIES[kind]}, headers={"Accept": media_type}
        )
        assert response.status_code in (200, 406), (name, response.text)
        if response.status_code == 200:
            assert response.mimetype == media_type
            found.add(name)
    return found


def described(quads: list[object]) -> set[str]:
    """Return the W3C formats a description names as sd:resultFormat."""
    names = set()
    for quad in quads:
        if quad.predicate == SD_RESULT_FORMAT:  # type: ignore[attr-defined]
            names.add(quad.object.value.removeprefix("http://www.w3.org/ns/formats/"))  # type: ignore[attr-defined]
    return names


def test_the_service_description_lists_what_the_endpoint_serves(client: FlaskClient) -> None:
    description = client.get("/sparql", headers={"Accept": "application/n-triples"})
    listed = described(list(parse(description.data, format=RdfFormat.N_TRIPLES)))
    assert listed == served(client)
    assert "TriG" in listed and "N-Quads" in listed


@pytest.fixture
def void() -> Store:
    return mini_store()


def test_the_void_service_lists_what_the_endpoint_serves(client: FlaskClient, void: Store) -> None:
    assert described(list(void)) == served(client)
