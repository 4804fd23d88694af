"""The query line: wait for a slot within the deadline, a bounded line, shares, replacements."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import DefaultGraph, Literal, NamedNode, Quad, Store
from support.prepared import prepared

from kg.errors import ServiceUnavailable, TooManyRequests
from kg.execution.base import Deadline
from kg.execution.embedded import EmbeddedBackend
from kg.execution.pool import Abandoned, current_request_abandoned

JSON = "application/sparql-results+json"
TSV = "text/tab-separated-values"
ASK_TRUE = b'{"head":{},"boolean":true}'


def numbered(count: int) -> list[Quad]:
    """Return count triples <s_i> <p> i."""
    return [
        Quad(NamedNode(f"http://e/s{i}"), NamedNode("http://e/p"), Literal(i), DefaultGraph())
        for i in range(count)
    ]


@pytest.fixture
def one_worker() -> Iterator[EmbeddedBackend]:
    store = Store()
    store.extend(numbered(20_000))
    backend = EmbeddedBackend(store, query_processes=1, max_queued=1)
    yield backend
    backend.close()


def hold(backend: EmbeddedBackend) -> Iterator[bytes]:
    """Start a large answer and leave it unread: its worker stays busy until it is closed."""
    outcome = backend.query(prepared("SELECT ?s ?o { ?s ?p ?o }"), TSV, Deadline.after(30))
    next(outcome.chunks)
    return outcome.chunks


def test_a_query_waits_for_a_busy_worker_past_a_second(one_worker: EmbeddedBackend) -> None:
    held = hold(one_worker)
    answers: list[bytes] = []
    waiter = threading.Thread(
        target=lambda: answers.append(
            one_worker.query(prepared("ASK {}"), JSON, Deadline.after(30)).read_all()
        )
    )
    waiter.start()
    waiter.join(1.5)
    assert waiter.is_alive() and answers == []
    held.close()  # type: ignore[attr-defined]
    waiter.join(30)
    assert answers == [ASK_TRUE]


def test_a_full_line_is_503_with_retry_after_at_once(one_worker: EmbeddedBackend) -> None:
    held = hold(one_worker)
    waiter = threading.Thread(
        target=lambda: one_worker.query(prepared("ASK {}"), JSON, Deadline.after(30)).read_all()
    )
    waiter.start()
    while not one_worker.pool._queue:
        time.sleep(0.01)
    with pytest.raises(ServiceUnavailable, match="1 queries are waiting") as refused:
        one_worker.query(prepared("ASK {}"), JSON, Deadline.after(30))
    assert refused.value.headers == {"Retry-After": "1"}
    held.close()  # type: ignore[attr-defined]
    waiter.join(30)


def test_a_query_that_cannot_get_a_worker_within_its_deadline_is_503(
    one_worker: EmbeddedBackend,
) -> None:
    held = hold(one_worker)
    with pytest.raises(ServiceUnavailable, match="stayed busy"):
        one_worker.query(prepared("ASK {}"), JSON, Deadline.after(0.3))
    held.close()  # type: ignore[attr-defined]


def test_a_client_keeps_its_place_while_its_share_turns_over() -> None:
    store = Store()
    store.extend(numbered(100))
    backend = EmbeddedBackend(store, query_processes=2, client_slots=1)
    statuses: list[str] = []

    def ask_many() -> None:
        for _ in range(20):
            body = backend.pool.borrow(30.0, client="one")
            time.sleep(0.05)
            backend.pool.release(body)
        statuses.append("done")

    try:
        clients = [threading.Thread(target=ask_many) for _ in range(4)]
        for thread in clients:
            thread.start()
        for thread in clients:
            thread.join(60)
        assert statuses == ["done"] * 4
    finally:
        backend.close()


def test_a_client_whose_share_stays_busy_gets_429() -> None:
    store = Store()
    store.extend(numbered(100))
    backend = EmbeddedBackend(store, query_processes=2, client_slots=1)
    try:
        taken = backend.pool.borrow(30.0, client="greedy")
        with pytest.raises(TooManyRequests) as refused:
            backend.pool.borrow(30.0, client="greedy")
        assert refused.value.headers == {"Retry-After": "1"}
        other = backend.pool.borrow(30.0, client="other")
        backend.pool.release(other)
        backend.pool.release(taken)
    finally:
        backend.close()


def test_a_request_whose_client_left_runs_nothing_and_keeps_the_worker(
    one_worker: EmbeddedBackend,
) -> None:
    one_worker.query(prepared("ASK {}"), JSON, Deadline.after(30)).read_all()
    [pid] = one_worker.pool.pids()
    token = current_request_abandoned.set(lambda: True)
    try:
        with pytest.raises(Abandoned):
            one_worker.query(prepared("ASK {}"), JSON, Deadline.after(30))
    finally:
        current_request_abandoned.reset(token)
    assert one_worker.pool.pids() == [pid]
    assert one_worker.query(prepared("ASK {}"), JSON, Deadline.after(30)).read_all() == ASK_TRUE


def test_on_disk_a_killed_worker_is_replaced_in_the_background(tmp_path: Path) -> None:
    seeded = Store(str(tmp_path / "store"))
    seeded.extend(numbered(20_000))
    seeded.flush()
    del seeded
    backend = EmbeddedBackend(path=tmp_path / "store", query_processes=1)
    try:
        outcome = backend.query(prepared("SELECT ?s ?o { ?s ?p ?o }"), TSV, Deadline.after(30))
        [killed] = backend.pool.pids()
        next(outcome.chunks)
        outcome.chunks.close()  # type: ignore[attr-defined]
        waited = 0.0
        while backend.pool.pids() in ([], [killed]) and waited < 30:
            time.sleep(0.05)
            waited += 0.05
        [replacement] = backend.pool.pids()
        assert replacement != killed
        body = backend.query(prepared("ASK {}"), JSON, Deadline.after(30)).read_all()
        assert body == ASK_TRUE
        assert backend.pool.pids() == [replacement]
    finally:
        backend.close()
