"""Deadlines stop the work: the worker evaluating a runaway query is killed, others go on."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store
from support.prepared import prepared

from kg.errors import DeadlineExceeded
from kg.execution.base import Deadline
from kg.execution.embedded import EmbeddedBackend
from kg.settings import Settings
from kg.web import create_app

JSON = "application/sparql-results+json"
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""A cross product of 3,000 triples cubed: hours of work for the engine."""


def gone(pid: int) -> bool:
    """Tell whether a process no longer exists (reaped) or is a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1].startswith("Z")
    except FileNotFoundError:
        return True


@pytest.fixture
def backend() -> Iterator[EmbeddedBackend]:
    store = Store()
    store.extend(
        Quad(NamedNode(f"http://e/s{i}"), NamedNode("http://e/p"), Literal(i), DefaultGraph())
        for i in range(3000)
    )
    found = EmbeddedBackend(store, query_processes=2)
    yield found
    found.close()


def test_runaway_query_is_stopped_at_its_deadline(backend: EmbeddedBackend) -> None:
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=r"ran past its 0\.5 s deadline and was stopped"):
        backend.query(prepared(RUNAWAY), JSON, Deadline.after(0.5))
    assert 0.5 <= time.monotonic() - started < 1.5
    assert backend.pool.pids() == []


def test_the_worker_process_is_gone_so_the_cpu_is_freed(backend: EmbeddedBackend) -> None:
    pids: list[int] = []
    errors: list[Exception] = []

    def run() -> None:
        try:
            backend.query(prepared(RUNAWAY), JSON, Deadline.after(1.0))
        except DeadlineExceeded as error:
            errors.append(error)

    runner = threading.Thread(target=run)
    runner.start()
    while not pids:
        pids = backend.pool.pids()
        time.sleep(0.01)
    time.sleep(0.3)
    [pid] = pids
    assert not gone(pid)
    runner.join()
    assert len(errors) == 1
    assert gone(pid)
    assert pid != os.getpid()


def test_other_clients_are_answered_while_a_runaway_runs(backend: EmbeddedBackend) -> None:
    stopped: list[DeadlineExceeded] = []

    def run() -> None:
        try:
            backend.query(prepared(RUNAWAY), JSON, Deadline.after(2.0))
        except DeadlineExceeded as error:
            stopped.append(error)

    runner = threading.Thread(target=run)
    runner.start()
    time.sleep(0.2)
    latencies = []
    for _ in range(20):
        started = time.monotonic()
        body = backend.query(
            prepared("ASK { <http://e/s7> ?p 7 }"), JSON, Deadline.after(30.0)
        ).read_all()
        latencies.append(time.monotonic() - started)
        assert body == b'{"head":{},"boolean":true}'
    assert runner.is_alive()
    assert max(latencies) < 0.5
    runner.join()
    assert len(stopped) == 1


def test_deadline_while_streaming_aborts_the_stream() -> None:
    store = Store()
    store.extend(
        Quad(NamedNode(f"http://e/s{i}"), NamedNode("http://e/p"), Literal(i), DefaultGraph())
        for i in range(20_000)
    )
    backend = EmbeddedBackend(store, query_processes=1)
    try:
        outcome = backend.query(prepared("SELECT * { ?s ?p ?o }"), JSON, Deadline.after(0.3))
        next(outcome.chunks)
        [pid] = backend.pool.pids()
        time.sleep(0.4)
        with pytest.raises(DeadlineExceeded):
            list(outcome.chunks)
        assert gone(pid)
    finally:
        backend.close()


def http_client(backend: EmbeddedBackend, query_timeout: float) -> FlaskClient:
    """Return a test client for an app serving the backend with this server deadline."""
    return create_app(backend, Settings(query_timeout=query_timeout)).test_client()


def test_over_http_a_runaway_is_504_with_a_clear_message(backend: EmbeddedBackend) -> None:
    response = http_client(backend, 0.5).get("/sparql", query_string={"query": RUNAWAY})
    assert response.status_code == 504
    assert response.get_data(as_text=True).startswith(
        "504 Query deadline exceeded: the query ran past its 0.5 s deadline and was stopped"
    )
    assert backend.pool.pids() == []


def test_a_client_may_ask_for_a_shorter_deadline(backend: EmbeddedBackend) -> None:
    client = http_client(backend, 30.0)
    started = time.monotonic()
    response = client.get("/sparql", query_string={"query": RUNAWAY, "timeout": "0.3"})
    assert response.status_code == 504
    assert "ran past its 0.3 s deadline" in response.get_data(as_text=True)
    assert time.monotonic() - started < 2


def test_a_client_cannot_ask_for_a_longer_deadline(backend: EmbeddedBackend) -> None:
    response = http_client(backend, 0.4).get(
        "/sparql", query_string={"query": RUNAWAY, "timeout": "3600"}
    )
    assert response.status_code == 504
    assert "ran past its 0.4 s deadline" in response.get_data(as_text=True)


@pytest.mark.parametrize("value", ["0", "-1", "abc", "", "nan", "inf"])
def test_a_bad_timeout_is_400(backend: EmbeddedBackend, value: str) -> None:
    response = http_client(backend, 5).get(
        "/sparql", query_string={"query": "ASK {}", "timeout": value}
    )
    assert response.status_code == 400
    assert "timeout must be a positive number of seconds" in response.get_data(as_text=True)
