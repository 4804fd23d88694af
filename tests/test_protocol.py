"""The SPARQL 1.1 Protocol as a table: how each request is read, and each way it is refused."""

from __future__ import annotations

import pytest

from kg.errors import BadRequest, KgError, PayloadTooLarge, UnsupportedMediaType
from kg.execution.base import Dataset
from kg.protocol.request import QueryOperation, UpdateOperation, parse_request

FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
G1 = "http://example.org/g1"
G2 = "http://example.org/g2"
LIMIT = 1000


@pytest.mark.parametrize(
    ("method", "content_type", "url", "body", "expected"),
    [
        ("GET", None, [], b"", None),
        ("GET", None, [("format", "json")], b"", None),
        ("GET", None, [("query", "ASK {}")], b"", QueryOperation("ASK {}", Dataset())),
        ("HEAD", None, [("query", "ASK {}")], b"", QueryOperation("ASK {}", Dataset())),
        (
            "GET",
            None,
            [("query", "ASK {}"), ("default-graph-uri", G1), ("default-graph-uri", G2)],
            b"",
            QueryOperation("ASK {}", Dataset((G1, G2))),
        ),
        (
            "GET",
            None,
            [("named-graph-uri", G2), ("query", "ASK {}"), ("output", "json")],
            b"",
            QueryOperation("ASK {}", Dataset((), (G2,))),
        ),
        ("POST", FORM, [], b"query=ASK%20%7B%7D", QueryOperation("ASK {}", Dataset())),
        (
            "POST",
            FORM + "; charset=UTF-8",
            [],
            b"query=ASK+{}",
            QueryOperation("ASK {}", Dataset()),
        ),
        (
            "POST",
            FORM,
            [("default-graph-uri", G1)],
            b"query=ASK%20%7B%7D&named-graph-uri=" + G2.encode(),
            QueryOperation("ASK {}", Dataset((G1,), (G2,))),
        ),
        (
            "POST",
            QUERY,
            [],
            "ASK { ?s ?p 'é' }".encode(),
            QueryOperation("ASK { ?s ?p 'é' }", Dataset()),
        ),
        ("POST", "Application/SPARQL-Query", [], b"ASK {}", QueryOperation("ASK {}", Dataset())),
        (
            "POST",
            QUERY + "; charset=utf-8",
            [("default-graph-uri", G1)],
            b"ASK {}",
            QueryOperation("ASK {}", Dataset((G1,))),
        ),
        ("POST", FORM, [], b"update=CLEAR%20ALL", UpdateOperation("CLEAR ALL", Dataset())),
        (
            "POST",
            UPDATE,
            [("using-graph-uri", G1), ("using-named-graph-uri", G2)],
            b"INSERT { ?s a ?o } WHERE { ?s a ?o }",
            UpdateOperation("INSERT { ?s a ?o } WHERE { ?s a ?o }", Dataset((G1,), (G2,))),
        ),
    ],
)
def test_parse(
    method: str,
    content_type: str | None,
    url: list[tuple[str, str]],
    body: bytes,
    expected: QueryOperation | UpdateOperation | None,
) -> None:
    assert parse_request(method, content_type, url, body, LIMIT) == expected


@pytest.mark.parametrize(
    ("method", "content_type", "url", "body", "error", "message"),
    [
        ("GET", None, [("update", "CLEAR ALL")], b"", BadRequest, "must be sent by POST"),
        ("GET", None, [("default-graph-uri", G1)], b"", BadRequest, "'query' is missing"),
        ("GET", None, [("query", "")], b"", BadRequest, "'query' is missing"),
        ("GET", None, [("query", "ASK {}"), ("query", "ASK {}")], b"", BadRequest, "given 2 times"),
        (
            "GET",
            None,
            [("query", "ASK {}"), ("default-graph-uri", "not an IRI")],
            b"",
            BadRequest,
            "default-graph-uri must be an absolute IRI, not 'not an IRI'",
        ),
        (
            "GET",
            None,
            [("query", "ASK {}"), ("using-graph-uri", G1)],
            b"",
            BadRequest,
            "using-graph-uri does not apply to a SPARQL query",
        ),
        ("PUT", QUERY, [], b"ASK {}", BadRequest, "not PUT"),
        ("POST", FORM, [], b"", BadRequest, "'query' is missing"),
        ("POST", FORM, [], b"query=ASK%7B%7D&query=ASK%7B%7D", BadRequest, "given 2 times"),
        ("POST", FORM, [("query", "ASK {}")], b"query=ASK%7B%7D", BadRequest, "both in the URL"),
        (
            "POST",
            FORM,
            [("default-graph-uri", G1)],
            b"query=ASK%7B%7D&default-graph-uri=" + G2.encode(),
            BadRequest,
            "'default-graph-uri' is given both in the URL and in the body",
        ),
        ("POST", FORM, [], b"query=ASK%7B%7D&update=CLEAR%20ALL", BadRequest, "not both"),
        ("POST", FORM, [], b"update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", BadRequest, "2 times"),
        ("POST", FORM, [], b"query=\xff", BadRequest, "not valid UTF-8 (byte 6)"),
        ("POST", QUERY, [], b"", BadRequest, "'query' is missing"),
        ("POST", QUERY, [("query", "ASK {}")], b"ASK {}", BadRequest, "both in the URL"),
        ("POST", QUERY, [("update", "CLEAR ALL")], b"ASK {}", BadRequest, "not both"),
        ("POST", QUERY, [], "ASK {}".encode("utf-16"), BadRequest, "not valid UTF-8"),
        (
            "POST",
            QUERY + "; charset=UTF-16",
            [],
            "ASK {}".encode("utf-16"),
            UnsupportedMediaType,
            "must be UTF-8, not utf-16",
        ),
        (
            "POST",
            UPDATE + "; charset=UTF-16",
            [],
            "CLEAR NAMED".encode("utf-16"),
            UnsupportedMediaType,
            "must be UTF-8",
        ),
        ("POST", None, [], b"ASK {}", UnsupportedMediaType, "Content-Type header is missing"),
        ("POST", None, [], b"query=ASK%7B%7D", UnsupportedMediaType, "header is missing"),
        ("POST", "text/plain", [], b"ASK {}", UnsupportedMediaType, "got text/plain"),
        ("POST", "application/json", [], b"{}", UnsupportedMediaType, "got application/json"),
        (
            "POST",
            UPDATE,
            [("default-graph-uri", G1)],
            b"CLEAR ALL",
            BadRequest,
            "default-graph-uri does not apply to a SPARQL update",
        ),
    ],
)
def test_refused(
    method: str,
    content_type: str | None,
    url: list[tuple[str, str]],
    body: bytes,
    error: type[KgError],
    message: str,
) -> None:
    with pytest.raises(error) as caught:
        parse_request(method, content_type, url, body, LIMIT)
    assert type(caught.value) is error
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("method", "content_type", "url", "body", "message"),
    [
        ("POST", QUERY, [], b"\xff" * (LIMIT + 1), f"the query is {LIMIT + 1} bytes long"),
        ("POST", UPDATE, [], b"\xff" * (LIMIT + 1), f"the update is {LIMIT + 1} bytes long"),
        ("POST", FORM, [], b"%FF" * (4 * LIMIT), "the form body is"),
        ("POST", FORM, [], b"query=" + b"a" * (LIMIT + 1), f"the query is {LIMIT + 1} bytes"),
        ("GET", None, [("query", "é" * LIMIT)], b"", f"the query is {2 * LIMIT} bytes long"),
    ],
)
def test_over_long_texts_are_refused_on_their_bytes_before_being_read(
    method: str, content_type: str | None, url: list[tuple[str, str]], body: bytes, message: str
) -> None:
    with pytest.raises(PayloadTooLarge) as caught:
        parse_request(method, content_type, url, body, LIMIT)
    assert caught.value.status == 413
    assert message in caught.value.message
