"""The embedded back end: worker processes, streaming, errors, the row cap and writes."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from kg.errors import BadRequest, NotFound, QuerySyntaxError, ServiceUnavailable
from kg.execution.base import DEFAULT_GRAPH, Dataset, QueryJob
from kg.execution.embedded import EmbeddedBackend
from kg.execution.rewrite import cap_rows, with_dataset

JSON = "application/sparql-results+json"
TSV = "text/tab-separated-values"
EX = "http://example.org/"


def numbered(count: int, graph: NamedNode | DefaultGraph | None = None) -> list[Quad]:
    """Return count triples <s_i> <p> i."""
    return [
        Quad(NamedNode(f"{EX}s{i}"), NamedNode(f"{EX}p"), Literal(str(i)), graph or DefaultGraph())
        for i in range(count)
    ]


@pytest.fixture
def backend() -> Iterator[EmbeddedBackend]:
    store = Store()
    store.extend(numbered(3))
    found = EmbeddedBackend(store, writable=True, workers=2, row_cap=1000)
    yield found
    found.close()


def rows(outcome_body: bytes) -> list[dict[str, str]]:
    """Return the SPARQL JSON bindings as {var: value}."""
    parsed = json.loads(outcome_body)
    return [{k: v["value"] for k, v in b.items()} for b in parsed["results"]["bindings"]]


def test_query_runs_in_a_worker_process_not_in_this_one(backend: EmbeddedBackend) -> None:
    body = backend.query(QueryJob(f"SELECT ?o {{ <{EX}s1> ?p ?o }}", JSON)).read_all()
    assert rows(body) == [{"o": "1"}]
    assert backend.pool.pids() != [] and os.getpid() not in backend.pool.pids()


def test_ask_and_construct_serialize_natively(backend: EmbeddedBackend) -> None:
    assert backend.query(QueryJob("ASK { ?s ?p 2 }", JSON)).read_all() == (
        b'{"head":{},"boolean":false}'
    )
    turtle = backend.query(
        QueryJob('CONSTRUCT { ?s ?p "0" } WHERE { ?s ?p "0" }', "application/n-triples")
    ).read_all()
    assert turtle == f'<{EX}s0> <{EX}p> "0" .\n'.encode()


def test_syntax_error_carries_the_parser_position(backend: EmbeddedBackend) -> None:
    with pytest.raises(QuerySyntaxError, match=r"^error at 1:18: "):
        backend.query(QueryJob("SELECT * { ?s ?p ", JSON))


def test_syntax_error_reports_the_client_text_not_the_capped_one(
    backend: EmbeddedBackend,
) -> None:
    with pytest.raises(QuerySyntaxError, match=r"^error at 1:28: "):
        backend.query(QueryJob("SELECT * { ?s ?p ?o } LIMIT", JSON))


def test_worker_is_reused_after_a_complete_answer(backend: EmbeddedBackend) -> None:
    for _ in range(5):
        backend.query(QueryJob("ASK {}", JSON)).read_all()
    assert len(backend.pool.pids()) == 1


def test_large_result_streams_in_many_chunks() -> None:
    store = Store()
    store.extend(numbered(20_000))
    backend = EmbeddedBackend(store, workers=1)
    try:
        outcome = backend.query(QueryJob("SELECT ?s ?o { ?s ?p ?o }", TSV))
        chunks = list(outcome.chunks)
        body = b"".join(chunks)
        assert len(chunks) == 10
        assert all(64 * 1024 <= len(chunk) < 80 * 1024 for chunk in chunks[:-1])
        assert body.count(b"\n") == 20_001
    finally:
        backend.close()


def test_closing_a_stream_kills_its_worker() -> None:
    store = Store()
    store.extend(numbered(20_000))
    backend = EmbeddedBackend(store, workers=1)
    try:
        outcome = backend.query(QueryJob("SELECT ?s ?o { ?s ?p ?o }", TSV))
        [pid] = backend.pool.pids()
        next(outcome.chunks)
        outcome.chunks.close()  # type: ignore[attr-defined]
        assert backend.pool.pids() == []
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        assert backend.query(QueryJob("ASK {}", JSON)).read_all() == b'{"head":{},"boolean":true}'
    finally:
        backend.close()


def test_all_workers_busy_is_503_with_retry_after() -> None:
    store = Store()
    store.extend(numbered(20_000))
    backend = EmbeddedBackend(store, workers=1, queue_wait=0.05)
    try:
        held = backend.query(QueryJob("SELECT ?s ?o { ?s ?p ?o }", TSV))
        with pytest.raises(ServiceUnavailable) as refused:
            backend.query(QueryJob("ASK {}", JSON))
        assert refused.value.headers == {"Retry-After": "1"}
        held.read_all()
        assert backend.query(QueryJob("ASK {}", JSON)).read_all() == b'{"head":{},"boolean":true}'
    finally:
        backend.close()


@pytest.mark.parametrize(
    ("text", "expected", "capped"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT * { ?s ?p ?o }\nLIMIT 11", True),
        ("SELECT * { ?s ?p ?o } LIMIT 10", "SELECT * { ?s ?p ?o } LIMIT 10", False),
        (
            "SELECT * { ?s ?p ?o } limit 500 OFFSET 2",
            "SELECT * { ?s ?p ?o } limit 11 OFFSET 2",
            True,
        ),
        (
            "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 3 } } # end",
            "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 3 } } # end\nLIMIT 11",
            True,
        ),
        (
            "SELECT ?x { } VALUES ?x { 1 2 }",
            "SELECT ?x { } \nLIMIT 11\nVALUES ?x { 1 2 }",
            True,
        ),
        ("ASK { ?s ?p ?o }", "ASK { ?s ?p ?o }", False),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }", False),
        ("SELECT * { ?s ?p ?o ", "SELECT * { ?s ?p ?o ", False),
    ],
)
def test_cap_rows(text: str, expected: str, capped: bool) -> None:
    assert cap_rows(text, 10) == (expected, capped)


def test_capped_result_has_cap_plus_one_rows_and_says_so() -> None:
    store = Store()
    store.extend(numbered(50))
    backend = EmbeddedBackend(store, workers=1, row_cap=10)
    try:
        outcome = backend.query(QueryJob("SELECT ?s { ?s ?p ?o }", JSON))
        assert outcome.headers == {"KG-Row-Cap": "10"}
        assert len(rows(outcome.read_all())) == 11
        small = backend.query(QueryJob("SELECT ?s { ?s ?p ?o } LIMIT 4", JSON))
        assert small.headers == {}
        assert len(rows(small.read_all())) == 4
    finally:
        backend.close()


def test_with_dataset_adds_using_before_each_modify_where() -> None:
    text = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; DELETE WHERE { ?a ?b ?c }"
    dataset = Dataset((f"{EX}g",), (f"{EX}n",))
    assert with_dataset(text, dataset) == (
        f"DELETE {{ ?s ?p ?o }} USING <{EX}g> USING NAMED <{EX}n> WHERE {{ ?s ?p ?o }} ; "
        "DELETE WHERE { ?a ?b ?c }"
    )
    with pytest.raises(BadRequest, match="cannot be combined with USING or WITH"):
        with_dataset(f"WITH <{EX}g> DELETE {{ ?s ?p ?o }} WHERE {{ ?s ?p ?o }}", dataset)


def test_update_is_seen_by_the_next_query(backend: EmbeddedBackend) -> None:
    backend.query(QueryJob("ASK {}", JSON)).read_all()
    before = backend.version
    backend.update(f"INSERT DATA {{ <{EX}new> <{EX}p> 'x' }}", Dataset(), 5)
    assert backend.version == before + 1
    body = backend.query(QueryJob(f"SELECT ?o {{ <{EX}new> ?p ?o }}", JSON)).read_all()
    assert rows(body) == [{"o": "x"}]


def test_update_with_using_graph_uri_reads_only_that_graph(backend: EmbeddedBackend) -> None:
    graph = f"{EX}g"
    backend.put_graph(graph, f"<{EX}a> <{EX}p> 'in-g' .".encode(), "text/turtle", replace=True)
    backend.update(
        f"INSERT {{ GRAPH <{EX}copy> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}",
        Dataset((graph,)),
        5,
    )
    body = backend.export(f"{EX}copy", "application/n-triples", 5).read_all()
    assert body == f'<{EX}a> <{EX}p> "in-g" .\n'.encode()


def test_graph_writes_and_export(backend: EmbeddedBackend) -> None:
    graph = f"{EX}g"
    assert backend.put_graph(graph, b"<a> <b> <c> .", "text/turtle", replace=True) is True
    assert backend.put_graph(graph, b"<a> <b> <d> .", "text/turtle", replace=False) is False
    assert backend.graph_names() == [graph]
    body = backend.export(graph, "application/n-triples", 5).read_all()
    assert sorted(body.decode().splitlines()) == [
        f"<{EX}a> <{EX}b> <{EX}c> .",
        f"<{EX}a> <{EX}b> <{EX}d> .",
    ]
    assert backend.drop_graph(graph) is True
    assert backend.drop_graph(graph) is False
    with pytest.raises(NotFound):
        backend.export(graph, "text/turtle", 5)


def test_bad_body_leaves_the_graph_unchanged(backend: EmbeddedBackend) -> None:
    backend.put_graph(DEFAULT_GRAPH, b"<http://e/a> <http://e/b> 1 .", "text/turtle", replace=True)
    with pytest.raises(BadRequest, match="does not parse"):
        backend.put_graph(DEFAULT_GRAPH, b"<http://e/a> <b", "text/turtle", replace=True)
    body = backend.export(DEFAULT_GRAPH, "application/n-triples", 5).read_all()
    assert body.decode().count(" .\n") == 1


def test_on_disk_store_reads_in_workers_and_writes_exclusively(tmp_path: Path) -> None:
    path = tmp_path / "store"
    seeded = Store(str(path))
    seeded.extend(numbered(3))
    seeded.flush()
    del seeded
    backend = EmbeddedBackend(path=path, writable=True, workers=2)
    try:
        assert rows(backend.query(QueryJob("SELECT (COUNT(*) AS ?n) {?s ?p ?o}", JSON)).read_all())
        backend.update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }}", Dataset(), 5)
        count = backend.query(QueryJob("SELECT (COUNT(*) AS ?n) {?s ?p ?o}", JSON)).read_all()
        assert rows(count) == [{"n": "4"}]
        assert backend.graph_names() == [f"{EX}g"]
    finally:
        backend.close()
    reopened = Store.read_only(str(path))
    assert len(reopened) == 4
