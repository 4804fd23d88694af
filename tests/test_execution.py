"""The embedded back end: worker processes, streaming, errors and writes."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store
from support.prepared import prepared, prepared_update

from kg.errors import BadRequest, NotFound, QueryRefused, QuerySyntaxError, ServiceUnavailable
from kg.execution.base import DEFAULT_GRAPH, Dataset, Deadline
from kg.execution.embedded import EmbeddedBackend
from kg.prepare import Preparer
from kg.settings import Settings

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
    found = EmbeddedBackend(store, writable=True, query_processes=2)
    yield found
    found.close()


def rows(outcome_body: bytes) -> list[dict[str, str]]:
    """Return the SPARQL JSON bindings as {var: value}."""
    parsed = json.loads(outcome_body)
    return [{k: v["value"] for k, v in b.items()} for b in parsed["results"]["bindings"]]


def test_query_runs_in_a_worker_process_not_in_this_one(backend: EmbeddedBackend) -> None:
    body = backend.query(
        prepared(f"SELECT ?o {{ <{EX}s1> ?p ?o }}"), JSON, Deadline.after(30.0)
    ).read_all()
    assert rows(body) == [{"o": "1"}]
    assert backend.pool.pids() != [] and os.getpid() not in backend.pool.pids()


def test_ask_and_construct_serialize_natively(backend: EmbeddedBackend) -> None:
    assert backend.query(prepared("ASK { ?s ?p 2 }"), JSON, Deadline.after(30.0)).read_all() == (
        b'{"head":{},"boolean":false}'
    )
    turtle = backend.query(
        prepared('CONSTRUCT { ?s ?p "0" } WHERE { ?s ?p "0" }'),
        "application/n-triples",
        Deadline.after(30.0),
    ).read_all()
    assert turtle == f'<{EX}s0> <{EX}p> "0" .\n'.encode()


def test_syntax_error_carries_the_parser_position(backend: EmbeddedBackend) -> None:
    with pytest.raises(QuerySyntaxError, match=r"^error at 1:18: "):
        backend.query(prepared("SELECT * { ?s ?p "), JSON, Deadline.after(30.0))


def test_syntax_error_reports_the_client_text_not_the_capped_one(
    backend: EmbeddedBackend,
) -> None:
    with pytest.raises(QuerySyntaxError, match=r"^error at 1:28: "):
        backend.query(prepared("SELECT * { ?s ?p ?o } LIMIT"), JSON, Deadline.after(30.0))


def test_worker_is_reused_after_a_complete_answer(backend: EmbeddedBackend) -> None:
    for _ in range(5):
        backend.query(prepared("ASK {}"), JSON, Deadline.after(30.0)).read_all()
    assert len(backend.pool.pids()) == 1


def test_large_result_streams_in_many_chunks() -> None:
    store = Store()
    store.extend(numbered(20_000))
    backend = EmbeddedBackend(store, query_processes=1)
    try:
        outcome = backend.query(prepared("SELECT ?s ?o { ?s ?p ?o }"), TSV, Deadline.after(30.0))
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
    backend = EmbeddedBackend(store, query_processes=1)
    try:
        outcome = backend.query(prepared("SELECT ?s ?o { ?s ?p ?o }"), TSV, Deadline.after(30.0))
        [pid] = backend.pool.pids()
        next(outcome.chunks)
        outcome.chunks.close()  # type: ignore[attr-defined]
        assert backend.pool.pids() == []
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
        assert (
            backend.query(prepared("ASK {}"), JSON, Deadline.after(30.0)).read_all()
            == b'{"head":{},"boolean":true}'
        )
    finally:
        backend.close()


def test_all_workers_busy_is_503_with_retry_after() -> None:
    store = Store()
    store.extend(numbered(20_000))
    backend = EmbeddedBackend(store, query_processes=1, queue_wait=0.05)
    try:
        held = backend.query(prepared("SELECT ?s ?o { ?s ?p ?o }"), TSV, Deadline.after(30.0))
        with pytest.raises(ServiceUnavailable) as refused:
            backend.query(prepared("ASK {}"), JSON, Deadline.after(30.0))
        assert refused.value.headers == {"Retry-After": "1"}
        held.read_all()
        assert (
            backend.query(prepared("ASK {}"), JSON, Deadline.after(30.0)).read_all()
            == b'{"head":{},"boolean":true}'
        )
    finally:
        backend.close()


def test_capped_result_has_cap_plus_one_rows() -> None:
    store = Store()
    store.extend(numbered(50))
    backend = EmbeddedBackend(store, query_processes=1)
    capped = Settings(result_row_cap=10)
    try:
        outcome = backend.query(prepared("SELECT ?s { ?s ?p ?o }", capped), JSON, Deadline.after(5))
        assert len(rows(outcome.read_all())) == 11
        small = backend.query(
            prepared("SELECT ?s { ?s ?p ?o } LIMIT 4", capped), JSON, Deadline.after(5)
        )
        assert len(rows(small.read_all())) == 4
    finally:
        backend.close()


def test_an_unknown_function_is_the_query_s_error_with_the_engine_s_message(
    backend: EmbeddedBackend,
) -> None:
    with pytest.raises(QueryRefused, match=r"custom function <http://example/function> is not"):
        backend.query(
            prepared("SELECT (<http://example/function>(?x) AS ?F) {}"), JSON, Deadline.after(5)
        ).read_all()
    assert backend.query(prepared("ASK {}"), JSON, Deadline.after(5)).read_all() == (
        b'{"head":{},"boolean":true}'
    )


@pytest.mark.parametrize("on_disk", [False, True])
def test_creating_a_graph_that_exists_is_the_update_s_error(on_disk: bool, tmp_path: Path) -> None:
    if on_disk:
        backend = EmbeddedBackend(path=tmp_path / "store", writable=True, query_processes=1)
    else:
        backend = EmbeddedBackend(Store(), writable=True, query_processes=1)
    try:
        backend.update(prepared_update(f"CREATE GRAPH <{EX}g>"), 5)
        with pytest.raises(QueryRefused, match=f"The graph <{EX}g> already exists"):
            backend.update(prepared_update(f"CREATE GRAPH <{EX}g>"), 5)
        with pytest.raises(QueryRefused, match=f"The graph <{EX}none> does not exist"):
            backend.update(prepared_update(f"DROP GRAPH <{EX}none>"), 5)
    finally:
        backend.close()


def test_update_is_seen_by_the_next_query(backend: EmbeddedBackend) -> None:
    backend.query(prepared("ASK {}"), JSON, Deadline.after(30.0)).read_all()
    before = backend.version
    backend.update(prepared_update(f"INSERT DATA {{ <{EX}new> <{EX}p> 'x' }}"), 5)
    assert backend.version == before + 1
    body = backend.query(
        prepared(f"SELECT ?o {{ <{EX}new> ?p ?o }}"), JSON, Deadline.after(30.0)
    ).read_all()
    assert rows(body) == [{"o": "x"}]


def test_update_with_using_graph_uri_reads_only_that_graph(backend: EmbeddedBackend) -> None:
    graph = f"{EX}g"
    backend.put_graph(graph, f"<{EX}a> <{EX}p> 'in-g' .".encode(), "text/turtle", replace=True)
    update = f"INSERT {{ GRAPH <{EX}copy> {{ ?s ?p ?o }} }} WHERE {{ ?s ?p ?o }}"
    backend.update(Preparer(Settings()).update(update, Dataset((graph,))), 5)
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
    backend = EmbeddedBackend(path=path, writable=True, query_processes=2)
    try:
        assert rows(
            backend.query(
                prepared("SELECT (COUNT(*) AS ?n) {?s ?p ?o}"), JSON, Deadline.after(30.0)
            ).read_all()
        )
        backend.update(
            prepared_update(f"INSERT DATA {{ GRAPH <{EX}g> {{ <{EX}a> <{EX}p> 1 }} }}"), 5
        )
        count = backend.query(
            prepared("SELECT (COUNT(*) AS ?n) {?s ?p ?o}"), JSON, Deadline.after(30.0)
        ).read_all()
        assert rows(count) == [{"n": "4"}]
        assert backend.graph_names() == [f"{EX}g"]
    finally:
        backend.close()
    reopened = Store.read_only(str(path))
    assert len(reopened) == 4
