"""Dereferencing minted IRIs: content negotiation, suffixes, Link headers, 404s, languages."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from pyoxigraph import RdfFormat, parse
from test_pages_data.support import mini_app

from kg import iris
from kg.settings import Settings

ID = iris.ID_NS
DELEGATION = "/id/peruvian-delegation"
HEADED_BY = iris.ONTOLOGY_NS + "headedBy"

ALTERNATES = (
    '</id/peruvian-delegation.html>; rel="alternate"; type="text/html", '
    '</id/peruvian-delegation.ttl>; rel="alternate"; type="text/turtle", '
    '</id/peruvian-delegation.jsonld>; rel="alternate"; type="application/ld+json", '
    '</id/peruvian-delegation.nt>; rel="alternate"; type="application/n-triples"'
)


@pytest.fixture
def client() -> FlaskClient:
    return mini_app().test_client()


def triples(body: bytes, media_type: str) -> set[str]:
    """Parse an RDF body into a set of N-Triples lines (blank nodes aside)."""
    fmt = RdfFormat.from_media_type(media_type)
    assert fmt is not None
    return {str(t) for t in parse(body, format=fmt)}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "text/html"),
        ("*/*", "text/html"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/x-turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("text/html;q=0.5, text/turtle", "text/turtle"),
        ("application/ld+json;q=0.9, text/turtle;q=0.8", "application/ld+json"),
        ("text/html;q=0, */*", "text/turtle"),
    ],
)
def test_get_entity_negotiates_format(
    client: FlaskClient, accept: str | None, expected: str
) -> None:
    response = client.get(DELEGATION, headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.mimetype == expected
    assert response.headers["Link"] == ALTERNATES
    assert response.headers["Vary"] == "Accept"


@pytest.mark.parametrize(
    ("suffix", "media_type"),
    [(".ttl", "text/turtle"), (".jsonld", "application/ld+json"), (".nt", "application/n-triples")],
)
def test_get_entity_suffix_gives_same_triples(
    client: FlaskClient, suffix: str, media_type: str
) -> None:
    by_suffix = client.get(DELEGATION + suffix, headers={"Accept": "text/html"})
    by_accept = client.get(DELEGATION, headers={"Accept": media_type})
    assert by_suffix.status_code == 200
    assert by_suffix.mimetype == media_type
    assert "Vary" not in by_suffix.headers
    assert by_accept.headers["Content-Location"] == DELEGATION + suffix
    found = triples(by_suffix.data, media_type)
    assert found == triples(by_accept.data, media_type)
    assert found == {
        f"<{ID}peruvian-delegation> <{HEADED_BY}> <{ID}jose-jeri>",
        f"<{ID}peruvian-delegation> <{iris.ONTOLOGY_NS}delegationOf> <{ID}peru>",
        f"<{ID}peruvian-delegation> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        f"<{iris.ONTOLOGY_NS}Delegation>",
        f'<{ID}peruvian-delegation> <http://www.w3.org/2000/01/rdf-schema#label> "Peruvian '
        'delegation"@en',
        f'<{ID}peruvian-delegation> <http://www.w3.org/2000/01/rdf-schema#label> "delegación '
        'peruana"@es',
    }


def test_get_entity_html_suffix_is_html(client: FlaskClient) -> None:
    response = client.get(DELEGATION + ".html", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.mimetype == "text/html"


def test_get_entity_not_acceptable_names_formats(client: FlaskClient) -> None:
    response = client.get(DELEGATION, headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert response.get_data(as_text=True) == (
        "406 Not acceptable: this resource is available as text/html, text/turtle, "
        "application/ld+json, application/n-triples\n"
    )


def test_get_unknown_iri_html_is_helpful_404(client: FlaskClient) -> None:
    response = client.get("/id/jose", headers={"Accept": "text/html"})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Nothing is known about this IRI" in html
    assert f"<code>{ID}jose</code>" in html
    assert '<a href="/id/jose-jeri">José Jerí</a>' in html


def test_get_unknown_iri_rdf_is_404_error(client: FlaskClient) -> None:
    response = client.get("/id/nobody.ttl")
    assert response.status_code == 404
    assert response.get_data(as_text=True) == (
        f"404 Not found: the graph says nothing about <{ID}nobody>; see / for what it holds\n"
    )


def test_get_invalid_iri_is_404(client: FlaskClient) -> None:
    response = client.get("/id/a%3Eb", headers={"Accept": "text/turtle"})
    assert response.status_code == 404


def test_get_entity_shows_statements_incoming_and_wikidata(client: FlaskClient) -> None:
    html = client.get("/id/peru").get_data(as_text=True)
    assert (
        '<a class="external" rel="external" href="https://www.wikidata.org/wiki/Q419">Q419</a>'
        in html
    )
    incoming = html.split("Incoming links", 1)[1]
    assert '<a href="/id/peruvian-delegation" title="' in incoming


def test_get_entity_in_spanish(client: FlaskClient) -> None:
    html = client.get(DELEGATION + "?lang=es").get_data(as_text=True)
    assert "<h1>delegación peruana</h1>" in html
    assert '<a href="/id/peru?lang=es" title="' + ID + 'peru">Perú</a>' in html
    assert (
        '<a href="/id/peruvian-delegation" hreflang="en" lang="en" title="English">EN</a>' in html
    )


def test_get_claim_shows_sentence_in_context_and_review(client: FlaskClient) -> None:
    html = client.get("/id/claim/mini/leader").get_data(as_text=True)
    assert (
        "The meeting took place in Quito. <mark>José Jerí, interim president since October "
        "2022, led the Peruvian delegation.</mark>"
    ) in html
    assert "since 10 October 2025; October 2022 is wrong" in html
    assert '<a href="/id/source/atv" title="' in html


def test_get_entity_links_its_sentence(client: FlaskClient) -> None:
    html = client.get("/id/jose-jeri").get_data(as_text=True)
    assert "<mark>José Jerí, interim president since October 2022, led the Peruvian" in html
    assert 'href="/id/article/mini/sentence/02"' in html


def test_pages_link_minted_iris_locally_whatever_the_host(client: FlaskClient) -> None:
    html = client.get(DELEGATION, base_url="http://example.org:9999").get_data(as_text=True)
    hrefs = re.findall(r'href="([^"]+)"', html)
    assert [h for h in hrefs if h.startswith(iris.BASE)] == []
    assert "/id/jose-jeri" in hrefs


def test_get_graph_lists_contents(client: FlaskClient) -> None:
    html = client.get("/graph/reviews").get_data(as_text=True)
    assert "Contents of this graph (7 triples)" in html
    body = client.get("/graph/reviews.nt").data
    assert (
        f"<{ID}review/jeri-since> <https://schema.org/itemReviewed> <{ID}claim/mini/leader>"
        in triples(body, "application/n-triples")
    )


def test_get_ontology_documents_terms(client: FlaskClient) -> None:
    html = client.get("/ontology").get_data(as_text=True)
    assert "<h1>Peru–Ecuador KG ontology</h1>" in html
    assert "2 classes · 1 properties" in html
    headed = html.split('id="headedBy"', 1)[1].split("</section>", 1)[0]
    assert "The person at the head of a delegation." in headed
    assert 'Domain</th><td><a href="/ontology/Delegation" title="' in headed
    assert "schema:Person" in headed


def test_get_ontology_turtle_is_the_ontology_graph(client: FlaskClient) -> None:
    response = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    found = triples(response.data, "text/turtle")
    assert (
        f"<{iris.ONTOLOGY_NS}headedBy> <http://www.w3.org/2000/01/rdf-schema#range> <https://schema.org/Person>"
        in found
    )
    # the ontology graph's 19 triples and the VoID graph's void:rootResource link to it
    assert len(found) == 20


def test_get_ontology_term(client: FlaskClient) -> None:
    html = client.get("/ontology/headedBy?lang=es").get_data(as_text=True)
    assert "<h1>encabezada por</h1>" in html


def test_pages_go_through_the_query_path_and_its_limits() -> None:
    client = mini_app(Settings(max_query_length=40)).test_client()
    response = client.get(DELEGATION, headers={"Accept": "text/turtle"})
    assert response.status_code == 413


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/ontology/", "/ontology"),
        ("/ontology/.ttl", "/ontology.ttl"),
        ("/ontology/?lang=es", "/ontology?lang=es"),
    ],
)
def test_get_ontology_namespace_sees_the_ontology(
    client: FlaskClient, path: str, location: str
) -> None:
    response = client.get(path)
    assert response.status_code == 303
    assert response.headers["Location"] == location
