"""Downloads over HTTP: the whole dataset and each graph in every format, and the @context."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from pyoxigraph import NamedNode, Quad, RdfFormat, Store, parse

from kg.iris import GRAPH_NS, ID_NS
from kg.jsonld import CONTEXT, CONTEXT_PATH

PEOPLE = "http://example.org/people"
DATA1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def quads(body: bytes, media_type: str) -> set[Quad]:
    fmt = RdfFormat.from_media_type(media_type)
    assert fmt is not None
    return set(parse(body, format=fmt))


@pytest.mark.parametrize(
    ("extension", "media_type", "count"),
    [
        ("trig", "application/trig", 8),
        ("nq", "application/n-quads", 8),
        ("ttl", "text/turtle", 8),
        ("nt", "application/n-triples", 8),
        ("rdf", "application/rdf+xml", 8),
    ],
)
def test_whole_dataset(client: FlaskClient, extension: str, media_type: str, count: int) -> None:
    response = client.get(f"/download/dataset.{extension}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].partition(";")[0] == media_type
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="peru-ecuador-kg.{extension}"'
    )
    found = quads(response.get_data(), media_type)
    assert len(found) == count
    graphs = {q.graph_name.value for q in found if hasattr(q.graph_name, "value")}
    if media_type in ("application/trig", "application/n-quads"):
        assert len(graphs) == 4
    else:
        assert graphs == set()


@pytest.mark.parametrize(
    ("extension", "media_type"),
    [
        ("ttl", "text/turtle"),
        ("trig", "application/trig"),
        ("nq", "application/n-quads"),
        ("nt", "application/n-triples"),
        ("rdf", "application/rdf+xml"),
    ],
)
def test_one_graph(client: FlaskClient, extension: str, media_type: str) -> None:
    response = client.get(f"/download/graph.{extension}", query_string={"graph": PEOPLE})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="people.{extension}"'
    found = quads(response.get_data(), media_type)
    assert sorted(str(q.subject) for q in found) == [
        "<http://example.org/alice>",
        "<http://example.org/alice>",
        "<http://example.org/alice>",
        "<http://example.org/bob>",
        "<http://example.org/bob>",
    ]


def test_jsonld_is_compacted_with_the_project_context(client: FlaskClient) -> None:
    response = client.get("/download/graph.jsonld", query_string={"graph": DATA1})
    assert response.headers["Content-Type"] == "application/ld+json"
    document = json.loads(response.get_data())
    assert document == {
        "@context": CONTEXT,
        "@graph": [{"@id": DATA1, "@type": "foaf:Document"}],
    }


def test_jsonld_dataset_keeps_the_graphs_and_the_values(client: FlaskClient) -> None:
    body = client.get("/download/dataset.jsonld").get_data()
    from_jsonld = quads(body, "application/ld+json")
    from_nquads = quads(client.get("/download/dataset.nq").get_data(), "application/n-quads")
    assert from_jsonld == from_nquads
    assert len(from_jsonld) == 8


def test_jsonld_uses_compact_iris(client: FlaskClient, store: Store) -> None:
    store.add(
        Quad(
            NamedNode(ID_NS + "quito"),
            NamedNode(RDF_TYPE),
            NamedNode(CONTEXT["pek"] + "Place"),
            NamedNode(GRAPH_NS + "verified"),
        )
    )
    document = json.loads(client.get("/download/dataset.jsonld").get_data())
    assert {
        "@id": "graph:verified",
        "@graph": [{"@id": "id:quito", "@type": "pek:Place"}],
    } in document["@graph"]


def test_context_is_served(client: FlaskClient) -> None:
    response = client.get(CONTEXT_PATH)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/ld+json"
    assert json.loads(response.get_data()) == {"@context": CONTEXT}
    assert CONTEXT["pek"] == "https://w3id.org/peru-ecuador-kg/ontology/"


def test_download_page_links_every_graph_and_format(client: FlaskClient) -> None:
    page = client.get("/download").get_data(as_text=True)
    assert page.count("<li>") == 5
    assert page.count('href="/download/dataset.') == 6
    assert 'href="/download/graph.ttl?graph=http%3A%2F%2Fexample.org%2Fpeople"' in page


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/download/dataset.xlsx", 404, "no download format .xlsx; use one of .ttl, .trig"),
        ("/download/graph.ttl", 400, "name exactly one graph"),
        ("/download/graph.ttl?graph=http://example.org/none", 404, "no graph named"),
    ],
)
def test_download_errors(client: FlaskClient, path: str, status: int, message: str) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "declared"),
    [
        ("/download/dataset.ttl", "@prefix foaf: <http://xmlns.com/foaf/0.1/> ."),
        ("/download/dataset.trig", "@prefix foaf: <http://xmlns.com/foaf/0.1/> ."),
        ("/download/dataset.rdf", 'xmlns:foaf="http://xmlns.com/foaf/0.1/"'),
        (
            "/download/graph.ttl?graph=http%3A%2F%2Fkasei.us%2F2009%2F09%2Fsparql%2Fdata%2Fdata1.rdf",
            "@prefix foaf: <http://xmlns.com/foaf/0.1/> .",
        ),
    ],
)
def test_turtle_trig_and_rdfxml_declare_the_prefixes_they_use(
    client: FlaskClient, path: str, declared: str
) -> None:
    body = client.get(path).get_data(as_text=True)
    assert declared in body
    assert "foaf:" in body.split(declared, 1)[1]
    # Only the prefixes in use: the sample has no schema.org term.
    assert "https://schema.org/" not in body


def test_the_prefixed_dataset_is_the_same_data(client: FlaskClient) -> None:
    plain = quads(client.get("/download/dataset.nt").get_data(), "application/n-triples")
    prefixed = quads(client.get("/download/dataset.ttl").get_data(), "text/turtle")
    assert plain == prefixed
    trig = quads(client.get("/download/dataset.trig").get_data(), "application/trig")
    assert trig == quads(client.get("/download/dataset.nq").get_data(), "application/n-quads")


def test_the_download_page_is_a_site_page_in_both_languages(client: FlaskClient) -> None:
    english = client.get("/download").get_data(as_text=True)
    assert '<meta name="viewport"' in english and '<header class="site">' in english
    assert "load it as a dataset, not as a single graph" in english
    spanish = client.get("/download?lang=es").get_data(as_text=True)
    assert '<html lang="es">' in spanish
    assert "<h1>Descargas</h1>" in spanish
    assert "cárguelo como un conjunto de datos" in spanish
    assert spanish.count("<li>") == english.count("<li>") == 5
