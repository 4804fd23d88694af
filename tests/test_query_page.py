"""The query page: the URL holds the query, examples are whole questions in both languages,
and the static assets are compressed and cacheable for a year under content-hashed names."""

from __future__ import annotations

import gzip
import re

import pytest
from flask.testing import FlaskClient
from test_pages_data.support import mini_app

from kg.web.assets import IMMUTABLE, hashed_name
from kg.web.pages.examples import read_examples


@pytest.fixture
def client() -> FlaskClient:
    return mini_app().test_client()


def test_a_query_in_the_url_opens_in_the_editor_and_runs(client: FlaskClient) -> None:
    page = client.get("/query", query_string={"query": "ASK { ?s ?p ?o } # <b>"}).text
    assert '<textarea id="query-text" class="plain-query" name="query"' in page
    assert "ASK { ?s ?p ?o } # &lt;b&gt;</textarea>" in page
    assert 'data-run="yes"' in page


def test_an_example_in_the_url_opens_its_text(client: FlaskClient) -> None:
    page = client.get("/query?example=delegation-leaders").text
    assert "# Question: Who led each delegation?" in page
    assert 'data-run="yes"' in page
    bare = client.get("/query").text
    assert 'data-run="no"' in bare


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("/query?example=nothing", 404, "no example query named 'nothing'"),
        ("/query?example=countries&query=ASK{}", 400, "not both"),
        ("/query?query=ASK{}&query=ASK{}", 400, "once"),
    ],
)
def test_a_bad_query_page_address_says_why(
    client: FlaskClient, path: str, status: int, message: str
) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert message in response.text


def test_browsers_asking_sparql_get_the_query_page(client: FlaskClient) -> None:
    page = client.get("/sparql", headers={"Accept": "text/html"}).text
    assert '<form id="query-form" action="/sparql"' in page


def test_examples_are_whole_questions_in_the_reader_s_language(client: FlaskClient) -> None:
    english = client.get("/query").text
    assert ">Which countries does the graph know, with their Wikidata items?</a>" in english
    # The miniature's examples have no Spanish question: shown in English, marked as such.
    spanish = client.get("/query?lang=es").text
    assert 'data-name="countries" lang="en">Which countries' in spanish


def test_the_shipped_examples_have_their_spanish_question() -> None:
    missing = [e.name for e in read_examples(None) if not e.title_es]
    assert missing == []


def asset_url(page: str, name: str) -> str:
    found = re.search(rf'"(/static/{re.escape(name)}\.[0-9a-f]{{10}}\.(?:js|css|svg))"', page)
    assert found, name
    return found.group(1)


def test_assets_are_hashed_gzipped_and_cached_for_a_year(client: FlaskClient) -> None:
    page = client.get("/query").text
    url = asset_url(page, "vendor/yasgui/yasgui.min")
    plain = client.get(url)
    assert plain.headers["Cache-Control"] == IMMUTABLE == "public, max-age=31536000, immutable"
    assert "Content-Encoding" not in plain.headers
    packed = client.get(url, headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 3
    refused = client.get(url, headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers
    again = client.get(url, headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
    head = client.head(url, headers={"Accept-Encoding": "gzip"})
    assert head.data == b"" and head.headers["Content-Length"] == packed.headers["Content-Length"]
    assert plain.headers["X-Content-Type-Options"] == "nosniff"


def test_an_asset_s_name_changes_with_its_content(client: FlaskClient) -> None:
    page = client.get("/").text
    url = asset_url(page, "pages")
    body = client.get(url).data
    assert url == "/static/" + hashed_name("pages.css", body)
    assert client.get("/static/pages.0000000000.css").status_code == 404
