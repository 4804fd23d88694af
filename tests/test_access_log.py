"""One structured access line per request, with a query hash and never a token or a query."""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

import pytest
from pyoxigraph import Store

from kg.execution.embedded import EmbeddedBackend
from kg.settings import Settings
from kg.web import create_app
from kg.web.access_log import query_hash


def test_one_line_per_request_without_token_or_query(caplog: pytest.LogCaptureFixture) -> None:
    backend = EmbeddedBackend(Store(), writable=True, query_processes=1)
    client = create_app(backend, Settings(write_token="tok-123")).test_client()
    secret_query = "SELECT * { ?secret ?p ?o }"
    with caplog.at_level(logging.INFO, logger="kg.access"):
        client.put(
            "/store?default",
            data=b"<http://e/a> <http://e/b> <http://e/c> .",
            headers={"Content-Type": "text/turtle", "Authorization": "Bearer tok-123"},
        ).close()
        client.get(f"/store?default&query={quote(secret_query)}").close()
    backend.close()
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "kg.access"]
    for line in lines:
        line.pop("duration_ms")
    assert lines == [
        {
            "method": "PUT",
            "path": "/store",
            "status": 204,
            "query_hash": None,
            "bytes": 0,
            "aborted": False,
        },
        {
            "method": "GET",
            "path": "/store",
            "status": 200,
            "query_hash": query_hash(secret_query),
            "bytes": 41,
            "aborted": False,
        },
    ]
    assert "tok-123" not in caplog.text
    assert "?secret" not in caplog.text


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ({"query": "ASK { ?posted ?p ?o }"}, None),
        ("ASK { ?posted ?p ?o }", "application/sparql-query"),
    ],
)
def test_a_posted_query_is_logged_with_its_hash(
    caplog: pytest.LogCaptureFixture, data: object, content_type: str | None
) -> None:
    backend = EmbeddedBackend(Store(), query_processes=1)
    client = create_app(backend, Settings()).test_client()
    headers = {"Content-Type": content_type} if content_type else {}
    with caplog.at_level(logging.INFO, logger="kg.access"):
        client.post("/sparql", data=data, headers=headers).close()
    backend.close()
    [line] = [json.loads(r.getMessage()) for r in caplog.records if r.name == "kg.access"]
    assert (line["status"], line["query_hash"]) == (200, query_hash("ASK { ?posted ?p ?o }"))
    assert "?posted" not in caplog.text
