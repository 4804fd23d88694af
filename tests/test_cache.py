"""The response cache and conditional requests, keyed on the store's version."""

from __future__ import annotations

import functools

import pytest
from flask.testing import FlaskClient
from pyoxigraph import Store

from kg.execution.base import Deadline, Outcome, PreparedQuery
from kg.execution.embedded import EmbeddedBackend
from kg.settings import Settings
from kg.web import create_app
from kg.web.cache import ResponseCache

QUERY = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}
CSV = {"Accept": "text/csv"}


class CountingBackend(EmbeddedBackend):
    """An embedded back end that counts the queries it evaluates."""

    evaluated = 0

    def query(self, prepared: PreparedQuery, media_type: str, deadline: Deadline) -> Outcome:
        self.evaluated += 1
        return super().query(prepared, media_type, deadline)


@pytest.fixture
def backend(store: Store) -> CountingBackend:
    return CountingBackend(store, writable=True)


def client_for(backend: CountingBackend, **settings: object) -> FlaskClient:
    """Return a client whose responses are read whole, as a real client reads them."""
    app = create_app(backend, Settings(write_token="secret", **settings), {"TESTING": True})  # type: ignore[arg-type]
    client = app.test_client()
    client.get = functools.partial(client.get, buffered=True)  # type: ignore[method-assign]
    return client


def response_cache(client: FlaskClient) -> ResponseCache:
    """Return the response cache among the application's WSGI middleware."""
    layer = client.application.wsgi_app
    while not isinstance(layer, ResponseCache):
        layer = layer.app  # type: ignore[attr-defined]
    return layer


def test_a_repeated_get_is_answered_without_evaluating_again(backend: CountingBackend) -> None:
    client = client_for(backend)
    first = client.get("/sparql", query_string=QUERY, headers=CSV)
    second = client.get("/sparql", query_string=QUERY, headers=CSV)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.data == first.data == b"n\r\n8\r\n"
    assert second.headers["Content-Type"] == first.headers["Content-Type"]
    assert second.headers["ETag"] == first.headers["ETag"]
    assert backend.evaluated == 1


def test_another_accept_header_is_another_answer(backend: CountingBackend) -> None:
    client = client_for(backend)
    client.get("/sparql", query_string=QUERY, headers=CSV)
    tsv = client.get("/sparql", query_string=QUERY, headers={"Accept": "text/tab-separated-values"})
    assert tsv.data.startswith(b"?n\n")
    assert backend.evaluated == 2


def test_if_none_match_gets_304_without_evaluation(backend: CountingBackend) -> None:
    client = client_for(backend)
    tag = client.get("/sparql", query_string=QUERY, headers=CSV).headers["ETag"]
    again = client.get("/sparql", query_string=QUERY, headers={**CSV, "If-None-Match": tag})
    assert again.status_code == 304
    assert again.data == b""
    assert backend.evaluated == 1


def test_a_write_invalidates_answers_and_tags(backend: CountingBackend) -> None:
    client = client_for(backend)
    before = client.get("/sparql", query_string=QUERY, headers=CSV)
    written = client.post(
        "/sparql",
        data={"update": "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"},
        headers={"Authorization": "Bearer secret"},
    )
    assert written.status_code == 204
    after = client.get(
        "/sparql", query_string=QUERY, headers={**CSV, "If-None-Match": before.headers["ETag"]}
    )
    assert after.status_code == 200
    assert after.data == b"n\r\n9\r\n"
    assert after.headers["ETag"] != before.headers["ETag"]
    assert backend.evaluated == 2


def test_errors_are_not_kept(backend: CountingBackend) -> None:
    client = client_for(backend)
    bad = {"query": "SELECT * WHERE { ?s ?p }"}
    assert client.get("/sparql", query_string=bad).status_code == 400
    assert client.get("/sparql", query_string=bad).status_code == 400
    assert "ETag" not in client.get("/sparql", query_string=bad).headers


def test_answers_over_the_entry_limit_stream_through_uncached(backend: CountingBackend) -> None:
    client = client_for(backend, response_cache_mb=1)
    app_cache = response_cache(client)
    app_cache.max_entry_bytes = 3
    client.get("/sparql", query_string=QUERY, headers=CSV)
    client.get("/sparql", query_string=QUERY, headers=CSV)
    assert backend.evaluated == 2


def test_the_cache_can_be_turned_off(backend: CountingBackend) -> None:
    client = client_for(backend, response_cache_mb=0)
    client.get("/sparql", query_string=QUERY, headers=CSV)
    response = client.get("/sparql", query_string=QUERY, headers=CSV)
    assert "ETag" not in response.headers
    assert backend.evaluated == 2
