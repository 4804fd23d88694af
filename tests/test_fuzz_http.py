"""Property-based fuzzing of the HTTP surface: no input gives a 5xx, every 4xx says why.

Random methods, paths, parameters, headers, bodies and encodings (broken UTF-8 included) go
through the Flask test client against an app with a writable in-memory store and a real worker
pool; the number of requests tried is FUZZ_EXAMPLES per test, times the FUZZ_SCALE environment
variable (``make fuzz`` raises it). No request may take longer than the deadline + 1 s.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Iterator

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from kg.execution.embedded import EmbeddedBackend
from kg.settings import Settings
from kg.web import create_app

FUZZ_EXAMPLES = 5_000 * int(os.environ.get("FUZZ_SCALE", "1"))
DEADLINE = 2.0
TOKEN = "fuzz-token"

METHODS = st.sampled_from(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
PATHS = st.one_of(
    st.sampled_from(["/sparql", "/store", "/", "/id/x", "/ontology", "/store/", "/sparql/"]),
    # Without tab, CR and LF: the test client splits the path as a URL, which drops them, so
    # "/\n/x" would become "//x", a request to host x the client cannot even build. Those bytes
    # in a request line are the wire fuzzer's (test_fuzz_wire.py).
    st.text(alphabet=st.characters(codec="utf-8", exclude_characters="?#\t\r\n"), max_size=30).map(
        lambda p: "/" + p.lstrip("/")
    ),
)
SPARQLISH = st.one_of(
    st.sampled_from(
        [
            "SELECT * { ?s ?p ?o } LIMIT 3",
            "ASK { ?s ?p ?o }",
            "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 2",
            "DESCRIBE <http://e/s1>",
            "INSERT DATA { <http://e/a> <http://e/b> 1 }",
            "SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }",
            "LOAD <http://127.0.0.1:1/x>",
            "SELECT (1/0 AS ?x) {}",
            "http://example.org/g",
        ]
    ),
    st.text(max_size=60),
)
PARAM_NAMES = st.sampled_from(
    [
        "query",
        "update",
        "graph",
        "default",
        "default-graph-uri",
        "named-graph-uri",
        "using-graph-uri",
        "timeout",
        "format",
        "x",
    ]
)
PARAMS = st.lists(st.tuples(PARAM_NAMES, SPARQLISH), max_size=4)
CONTENT_TYPES = st.sampled_from(
    [
        "application/sparql-query",
        "application/sparql-update",
        "application/x-www-form-urlencoded",
        "text/turtle",
        "text/turtle; charset=latin-1",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
        "multipart/form-data; boundary=xyz",
        "application/json",
        "text/plain",
        "",
        "garbage/;;==",
    ]
)
ACCEPTS = st.sampled_from(
    [
        "*/*",
        "application/sparql-results+json",
        "text/csv",
        "text/turtle",
        "application/n-quads",
        "image/png",
        "text/html",
        "application/json;q=0,*/*;q=0",
        "text/*;q=0.5, application/*;q=0.9",
        ";;;q=abc",
    ]
)
AUTH = st.sampled_from([None, f"Bearer {TOKEN}", "Bearer wrong", "Basic xyz", "Bearer", ""])
BODIES = st.one_of(
    st.binary(max_size=200),
    SPARQLISH.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from(
        [
            b"\xff\xfe\xfd",
            b"query=%FF%FE",
            b"query=SELECT%20*%20%7B%7D",
            b'<http://e/a> <http://e/b> "\xc3\x28" .',
            b"--xyz\r\nContent-Type: text/turtle\r\n\r\n<a> <b> <c> .\r\n--xyz--\r\n",
        ]
    ),
)


@pytest.fixture(scope="module")
def app() -> Iterator[Flask]:
    store = Store()
    store.extend(
        Quad(NamedNode(f"http://e/s{i}"), NamedNode("http://e/p"), Literal(i), DefaultGraph())
        for i in range(50)
    )
    backend = EmbeddedBackend(store, writable=True, query_processes=2)
    yield create_app(backend, Settings(write_token=TOKEN, query_timeout=DEADLINE))
    backend.close()


def readable(status: int, content_type: str, body: bytes) -> bool:
    """Tell whether an error body states its status and a non-empty message."""
    text = body.decode("utf-8")
    if content_type.startswith("application/json"):
        parsed = json.loads(text)
        return bool(parsed["status"] == status and parsed["message"])
    if content_type.startswith("text/html"):
        # The linked-data pages answer browsers with a page that explains itself in its <h1>.
        heading = re.search(r"<h1>([^<]+)</h1>", text)
        return heading is not None and bool(heading.group(1).strip())
    return text.startswith(f"{status} ") and len(text.strip()) > len(f"{status} ")


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    method=METHODS,
    path=PATHS,
    params=PARAMS,
    content_type=CONTENT_TYPES,
    accept=ACCEPTS,
    auth=AUTH,
    body=BODIES,
)
def test_no_request_gets_a_5xx_and_every_4xx_says_why(
    app: Flask,
    method: str,
    path: str,
    params: list[tuple[str, str]],
    content_type: str,
    accept: str,
    auth: str | None,
    body: bytes,
) -> None:
    headers = {"Accept": accept, "Content-Type": content_type}
    if auth is not None:
        headers["Authorization"] = auth
    started = time.monotonic()
    response = app.test_client().open(
        path, method=method, query_string=params, headers=headers, data=body
    )
    try:
        data = response.get_data()
        assert time.monotonic() - started < DEADLINE + 1
        assert response.status_code < 500, data
        if response.status_code >= 400 and method != "HEAD":
            assert readable(response.status_code, response.content_type or "", data), data
    finally:
        response.close()
