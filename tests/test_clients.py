"""Real, unmodified SPARQL clients against a real ``kg serve`` process."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Store
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, JSONLD, TSV, TURTLE, XML, SPARQLWrapper
from support.server import ServerProcess, start_server

pytestmark = pytest.mark.server

FOAF = "http://xmlns.com/foaf/0.1/"
NAMES = f"SELECT ?person ?name WHERE {{ ?person <{FOAF}name> ?name }} ORDER BY ?name"
PEOPLE_GRAPH = f"CONSTRUCT {{ ?person <{FOAF}name> ?name }} WHERE {{ ?person <{FOAF}name> ?name }}"
ALICE = "http://example.org/alice"
BOB = "http://example.org/bob"
README_ENDPOINT = "http://127.0.0.1:8000/sparql"


def run(server: ServerProcess, query: str, return_format: str) -> Any:
    """Run a query with SPARQLWrapper and convert its result, closing the HTTP response."""
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    result = client.query()
    try:
        return result.convert()
    finally:
        result.response.close()


def test_sparqlwrapper_select_json(live_server: ServerProcess) -> None:
    data = run(live_server, NAMES, JSON)
    assert data["head"]["vars"] == ["person", "name"]
    assert data["results"]["bindings"] == [
        {
            "person": {"type": "uri", "value": ALICE},
            "name": {"type": "literal", "value": "Alice", "xml:lang": "en"},
        },
        {"person": {"type": "uri", "value": BOB}, "name": {"type": "literal", "value": "Bob"}},
    ]


def test_sparqlwrapper_select_xml(live_server: ServerProcess) -> None:
    document = run(live_server, NAMES, XML)
    literals = document.getElementsByTagName("literal")
    assert [(n.firstChild.data, n.getAttribute("xml:lang")) for n in literals] == [
        ("Alice", "en"),
        ("Bob", ""),
    ]
    assert [n.firstChild.data for n in document.getElementsByTagName("uri")] == [ALICE, BOB]


def test_sparqlwrapper_select_csv(live_server: ServerProcess) -> None:
    rows = list(csv.reader(io.StringIO(run(live_server, NAMES, CSV).decode())))
    assert rows == [["person", "name"], [ALICE, "Alice"], [BOB, "Bob"]]


def test_sparqlwrapper_select_tsv(live_server: ServerProcess) -> None:
    text = run(live_server, NAMES, TSV).decode()
    assert text == f'?person\t?name\n<{ALICE}>\t"Alice"@en\n<{BOB}>\t"Bob"\n'


def test_sparqlwrapper_ask(live_server: ServerProcess) -> None:
    assert run(live_server, f"ASK {{ <{ALICE}> <{FOAF}age> 42 }}", JSON) == {
        "head": {},
        "boolean": True,
    }
    assert run(live_server, f"ASK {{ <{BOB}> <{FOAF}age> 42 }}", JSON)["boolean"] is False


EXPECTED_TRIPLES = {
    (rdflib.URIRef(ALICE), rdflib.URIRef(FOAF + "name"), rdflib.Literal("Alice", lang="en")),
    (rdflib.URIRef(BOB), rdflib.URIRef(FOAF + "name"), rdflib.Literal("Bob")),
}


def test_sparqlwrapper_construct_turtle(live_server: ServerProcess) -> None:
    graph = rdflib.Graph().parse(data=run(live_server, PEOPLE_GRAPH, TURTLE), format="turtle")
    assert set(graph) == EXPECTED_TRIPLES


# SPARQLWrapper 2.0 parses JSON-LD into rdflib's ConjunctiveGraph, which rdflib 7 deprecates.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_sparqlwrapper_construct_jsonld(live_server: ServerProcess) -> None:
    graph = run(live_server, PEOPLE_GRAPH, JSONLD)
    assert isinstance(graph, rdflib.Graph)
    assert set(graph) == EXPECTED_TRIPLES


@pytest.fixture
def sparql_store(live_server: ServerProcess) -> Iterator[SPARQLStore]:
    store = SPARQLStore(live_server.sparql)
    yield store
    store.close()


def test_rdflib_sparqlstore_select(sparql_store: SPARQLStore) -> None:
    graph = rdflib.Graph(store=sparql_store)
    rows = [(str(row.person), row.name) for row in graph.query(NAMES)]  # type: ignore[union-attr]
    assert rows == [
        (ALICE, rdflib.Literal("Alice", lang="en")),
        (BOB, rdflib.Literal("Bob")),
    ]


def test_rdflib_sparqlstore_triples_and_construct(sparql_store: SPARQLStore) -> None:
    graph = rdflib.Graph(store=sparql_store)
    names = sorted(graph.objects(rdflib.URIRef(ALICE), rdflib.URIRef(FOAF + "name")))
    assert names == [rdflib.Literal("Alice", lang="en")]
    assert set(graph.query(PEOPLE_GRAPH)) == EXPECTED_TRIPLES
    assert graph.query(f"ASK {{ <{BOB}> <{FOAF}name> 'Bob' }}").askAnswer is True


def test_pyoxigraph_store_reaches_the_endpoint_through_service(
    live_server: ServerProcess,
) -> None:
    local = Store()
    rows = local.query(
        f"SELECT ?person ?name WHERE {{ SERVICE <{live_server.sparql}> "
        f"{{ ?person <{FOAF}name> ?name }} }} ORDER BY ?name"
    )
    assert [(row["person"], row["name"]) for row in rows] == [  # type: ignore[index,union-attr]
        (NamedNode(ALICE), Literal("Alice", language="en")),
        (NamedNode(BOB), Literal("Bob")),
    ]


def test_endpoint_federates_to_another_endpoint_through_service(
    live_server: ServerProcess,
) -> None:
    """A second server, allowed to call the first, joins its own data with the first's."""
    front = start_server("--no-article", "--service-allow", live_server.sparql)
    try:
        client = SPARQLWrapper(front.sparql)
        client.setQuery(
            f"SELECT ?name WHERE {{ SERVICE <{live_server.sparql}> "
            f"{{ <{ALICE}> <{FOAF}name> ?name }} }}"
        )
        client.setReturnFormat(CSV)
        result = client.query()
        try:
            assert result.convert() == b"name\r\nAlice\r\n"
        finally:
            result.response.close()
    finally:
        front.stop()


def readme_python_blocks() -> list[str]:
    """Return the Python examples of the README's Querying section."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Querying", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.DOTALL)


def test_readme_python_examples_run(
    live_server: ServerProcess, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = readme_python_blocks()
    assert len(blocks) == 2
    for block in blocks:
        assert README_ENDPOINT in block
        exec(block.replace(README_ENDPOINT, live_server.sparql), {})
    assert capsys.readouterr().out == (
        "http://example.org/people 5\n"
        "http://kasei.us/2009/09/sparql/data/data1.rdf 1\n"
        "http://kasei.us/2009/09/sparql/data/data2.rdf 1\n"
        "http://kasei.us/2009/09/sparql/data/data3.rdf 1\n"
        "8\n"
    )
