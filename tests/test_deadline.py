"""Deadlines stop the work: the worker evaluating a runaway query is killed, others go on."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store

from kg.errors import DeadlineExceeded
from kg.execution.base import QueryJob
from kg.execution.embedded import EmbeddedBackend

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
    found = EmbeddedBackend(store, workers=2)
    yield found
    found.close()


def test_runaway_query_is_stopped_at_its_deadline(backend: EmbeddedBackend) -> None:
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=r"ran past its 0\.5 s deadline and was stopped"):
        backend.query(QueryJob(RUNAWAY, JSON, timeout=0.5))
    assert 0.5 <= time.monotonic() - started < 1.5
    assert backend.pool.pids() == []


def test_the_worker_process_is_gone_so_the_cpu_is_freed(backend: EmbeddedBackend) -> None:
    pids: list[int] = []
    errors: list[Exception] = []

    def run() -> None:
        try:
            backend.query(QueryJob(RUNAWAY, JSON, timeout=1.0))
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
            backend.query(QueryJob(RUNAWAY, JSON, timeout=2.0))
        except DeadlineExceeded as error:
            stopped.append(error)

    runner = threading.Thread(target=run)
    runner.start()
    time.sleep(0.2)
    latencies = []
    for _ in range(20):
        started = time.monotonic()
        body = backend.query(QueryJob("ASK { <http://e/s7> ?p 7 }", JSON)).read_all()
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
    backend = EmbeddedBackend(store, workers=1)
    try:
        outcome = backend.query(QueryJob("SELECT * { ?s ?p ?o }", JSON, timeout=0.3))
        next(outcome.chunks)
        [pid] = backend.pool.pids()
        time.sleep(0.4)
        with pytest.raises(DeadlineExceeded):
            list(outcome.chunks)
        assert gone(pid)
    finally:
        backend.close()
