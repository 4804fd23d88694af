"""Several ``kg serve`` instances over one remote store, and writes only where they can be seen."""

from __future__ import annotations

import doctest
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from support.oxigraph import OxigraphServer, kg_build_into
from support.server import ServerProcess, start_server

import kg.execution.default_graph_writes
from kg.execution.default_graph_writes import default_graph_writes

pytestmark = pytest.mark.server

TOKEN = "s3cret"
WRITER = {"Authorization": f"Bearer {TOKEN}"}
NOTES = "http://example.org/notes"
TODAY = f"<{NOTES}#today> <{NOTES}#says>"
NOTE = f"SELECT ?note WHERE {{ GRAPH <{NOTES}> {{ {TODAY} ?note }} }}"
UNION_REFUSAL = (
    ": this server fronts a store whose default graph is (or is read as) the union of its named "
    "graphs, so a triple written to the default graph would be in no named graph"
)


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[OxigraphServer]:
    """Start an empty oxigraph serve for one test."""
    server = OxigraphServer(tmp_path / "oxigraph").start()
    yield server
    server.stop()


def test_docstring_examples() -> None:
    assert doctest.testmod(kg.execution.default_graph_writes).failed == 0


@pytest.mark.parametrize(
    ("update", "found"),
    [
        ("PREFIX x: <http://x/> INSERT DATA { GRAPH x:g { x:a x:p 1 } . GRAPH x:h { } }", []),
        (
            "DELETE { GRAPH <http://g> { ?s ?p ?o } } INSERT { ?s ?p 2 } WHERE { ?s ?p ?o }",
            ["INSERT { … } without GRAPH or WITH"],
        ),
        ("DELETE WHERE { GRAPH <http://g> { ?s ?p ?o } }", []),
        ("DELETE WHERE { ?s ?p ?o }", ["DELETE WHERE without GRAPH"]),
        ("COPY <http://a> TO DEFAULT", ["COPY … TO DEFAULT"]),
        ("MOVE SILENT DEFAULT TO GRAPH <http://b>", ["MOVE DEFAULT"]),
        ("ADD GRAPH <http://a> TO <http://b>", []),
        ("CLEAR ALL ; DROP SILENT DEFAULT ; CLEAR GRAPH <http://a>", ["DROP DEFAULT"]),
        ("LOAD SILENT <http://x> INTO GRAPH <http://g>", []),
        ("INSERT DATA { GRAPH <http://g> { [] <http://p> ( 1 2 ) } }", []),
        ("INSERT { GRAPH ?g { ?s ?p ?o } } USING <http://u> WHERE { ?s ?p ?o }", []),
        (
            "INSERT DATA { <http://a> <http://p> '{ GRAPH <http://g> { } }' }",
            ["INSERT DATA without GRAPH"],
        ),
    ],
)
def test_default_graph_writes_are_found(update: str, found: list[str]) -> None:
    assert default_graph_writes(update) == found


@pytest.fixture
def writable(oxigraph: OxigraphServer) -> Iterator[ServerProcess]:
    """Serve the article from oxigraph with writes allowed."""
    kg_build_into(oxigraph.url)
    server = start_server("--store-url", oxigraph.query_url, "--write-token", TOKEN)
    yield server
    server.stop()


@pytest.mark.parametrize(
    ("method", "params", "body", "what"),
    [
        ("POST", {}, f"INSERT DATA {{ <{NOTES}#a> <{NOTES}#b> 1 }}", "INSERT DATA without GRAPH"),
        ("POST", {}, "CLEAR DEFAULT", "CLEAR DEFAULT"),
        ("PUT", {"default": ""}, f"<{NOTES}#a> <{NOTES}#b> 1 .", "a write to ?default"),
        ("DELETE", {"default": ""}, "", "a DELETE of ?default"),
    ],
)
def test_a_default_graph_write_over_a_union_store_is_a_clear_400(
    writable: ServerProcess,
    oxigraph: OxigraphServer,
    method: str,
    params: dict[str, str],
    body: str,
    what: str,
) -> None:
    if method == "POST":
        url, kind = writable.sparql, "application/sparql-update"
    else:
        url, kind = writable.url + "/store", "application/n-triples"
    response = requests.request(
        method,
        url,
        params=params,
        data=body.encode(),
        headers={**WRITER, "Content-Type": kind},
    )
    assert response.status_code == 400
    assert what + UNION_REFUSAL in response.text
    nothing = requests.get(oxigraph.url + "/store", params={"default": ""})
    assert nothing.content == b""


def ask(server: ServerProcess, query: str) -> str:
    """Return a query's TSV answer through one server."""
    response = requests.get(
        server.sparql, params={"query": query}, headers={"Accept": "text/tab-separated-values"}
    )
    assert response.status_code == 200, response.text
    return response.text


def write(server: ServerProcess, update: str) -> None:
    """Apply an update through one server."""
    response = requests.post(
        server.sparql,
        data=update.encode(),
        headers={**WRITER, "Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 204, response.text


def test_instances_over_one_store_agree_after_a_write_through_either(
    oxigraph: OxigraphServer,
) -> None:
    kg_build_into(oxigraph.url)
    options = ("--store-url", oxigraph.query_url, "--workers", "2", "--write-token", TOKEN)
    first, second = start_server(*options), start_server(*options)
    try:
        # Ask often enough that every worker of each instance has answered (and could keep) it.
        assert {ask(s, NOTE) for s in (first, second) for _ in range(10)} == {"?note\n"}
        write(first, f'INSERT DATA {{ GRAPH <{NOTES}> {{ {TODAY} "one" }} }}')
        seen = {ask(s, NOTE) for s in (first, second) for _ in range(10)}
        assert seen == {'?note\n"one"\n'}
        write(
            second,
            f"DELETE {{ GRAPH <{NOTES}> {{ ?s ?p ?o }} }} "
            f'INSERT {{ GRAPH <{NOTES}> {{ {TODAY} "two" }} }} '
            f"WHERE {{ GRAPH <{NOTES}> {{ ?s ?p ?o }} }}",
        )
        seen = {ask(s, NOTE) for s in (first, second) for _ in range(10)}
        assert seen == {'?note\n"two"\n'}
    finally:
        first.stop()
        second.stop()
