"""Writes tell the truth: under a short deadline, too large, cut short, or from a second server.

Before: an 8.5 MiB PUT under a 3 s deadline answered ``504 nothing changed`` with every triple
stored, and the write-ahead log it left made every later query 504; a chunked PUT over the body
limit was cut at the limit and acknowledged 201 with half its triples; a second server on the
same store started silently.
"""

from __future__ import annotations

import contextlib
import json
import socket
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.attack import ASK_WITHIN, ask, connect, read_response, request

from tests.support.server import ServerProcess, start_server

pytestmark = pytest.mark.server

TOKEN = "attack-token"
GRAPH = "http://example.org/attack"
LARGE_TRIPLES = 95_000
WRITER = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/n-triples"}


def triples(count: int, start: int = 0) -> bytes:
    """Return N-Triples lines, about 95 bytes each."""
    return "".join(
        f"<http://example.org/s/{i}> <http://example.org/p/value> "
        f'"value number {i} of the attack" .\n'
        for i in range(start, start + count)
    ).encode()


def count(server: ServerProcess, graph: str = GRAPH) -> int:
    """Count the triples in a graph with SPARQL (0 when the graph does not exist)."""
    query = f"SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    answer = request(server.sparql + "?" + urllib.parse.urlencode({"query": query}))
    assert answer.status == 200, answer.body
    return int(json.loads(answer.body)["results"]["bindings"][0]["n"]["value"])


def serve_store(path: Path, deadline: float = 2) -> ServerProcess:
    """Serve an on-disk store that accepts writes (token in the environment), cache off."""
    return start_server(
        "--store",
        str(path),
        "--no-article",
        "--query-timeout",
        str(deadline),
        "--response-cache-mb",
        "0",
        env={"KG_WRITE_TOKEN": TOKEN},
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    found = serve_store(tmp_path / "store")
    yield found
    found.stop()


@pytest.fixture(params=[0.5, 30], ids=["0.5s", "30s"])
def deadline_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ServerProcess]:
    found = serve_store(tmp_path / "store", request.param)
    yield found
    found.stop()


def test_a_large_write_under_a_deadline_is_all_or_nothing(deadline_server: ServerProcess) -> None:
    server = deadline_server
    body = triples(LARGE_TRIPLES)
    assert 8 * 1024 * 1024 < len(body) < 10 * 1024 * 1024
    answer = request(f"{server.url}/store?graph={GRAPH}", "PUT", body, WRITER, timeout=120)
    stored = count(server)
    if 200 <= answer.status < 300:
        assert stored == LARGE_TRIPLES
    else:
        assert answer.status == 504, answer.body
        assert b"before it began to change the store; nothing changed" in answer.body
        assert stored == 0
    # The store is left fast to reopen: the next query and a small write answer at once.
    probe = ask(server.sparql)
    assert (probe.status, probe.seconds < ASK_WITHIN) == (200, True)
    small = request(f"{server.url}/store?graph={GRAPH}-2", "PUT", triples(2), WRITER)
    assert small.status == 201, small.body
    assert small.seconds < ASK_WITHIN
    assert count(server, GRAPH + "-2") == 2


def chunked(body: bytes, size: int = 64 * 1024) -> bytes:
    """Frame a body in HTTP/1.1 chunks."""
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def test_an_oversized_chunked_upload_is_413_and_stores_nothing(server: ServerProcess) -> None:
    body = triples(120_000)
    assert len(body) > 10 * 1024 * 1024
    head = (
        f"PUT /store?graph={GRAPH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        "Content-Type: application/n-triples\r\nTransfer-Encoding: chunked\r\n\r\n"
    ).encode()
    with connect(server.url, source="127.0.0.1") as sock:
        # The server may stop reading once it has refused the body.
        with contextlib.suppress(OSError):
            sock.sendall(head + chunked(body))
        answer = read_response(sock)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    assert b"the body is larger than the 10485760-byte limit" in answer
    assert count(server) == 0


def test_an_oversized_declared_upload_is_413_at_once(server: ServerProcess) -> None:
    answer = request(
        f"{server.url}/store?graph={GRAPH}",
        "PUT",
        b"x" * (10 * 1024 * 1024 + 1),
        {**WRITER, "Expect": "100-continue"},
    )
    assert answer.status == 413
    assert count(server) == 0


def test_a_write_cut_short_is_400_and_stores_nothing(server: ServerProcess) -> None:
    body = triples(100)
    head = (
        f"PUT /store?graph={GRAPH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n"
        f"Content-Type: application/n-triples\r\nContent-Length: {len(body) + 1000}\r\n\r\n"
    ).encode()
    with connect(server.url, source="127.0.0.1") as sock:
        sock.sendall(head + body)
        sock.shutdown(socket.SHUT_WR)
        answer = read_response(sock)
    assert answer.startswith(b"HTTP/1.1 400 "), answer
    assert count(server) == 0


def test_a_second_server_on_the_store_is_refused_naming_the_holder(tmp_path: Path) -> None:
    store = str(tmp_path / "store")
    first = start_server("--store", store, "--no-article", env={"KG_WRITE_TOKEN": TOKEN})
    try:
        for extra in ({"KG_WRITE_TOKEN": "OTHER"}, {}):
            started = time.monotonic()
            with pytest.raises(RuntimeError) as refused:
                start_server("--store", store, "--no-article", env=extra, timeout=30)
            assert time.monotonic() - started < 30
            message = str(refused.value)
            assert "is held by another server that accepts writes: kg serve, pid " in message
            assert f"{first.url}/" in message
        assert ask(first.sparql).status == 200
    finally:
        first.stop()
    # Once the writer is gone, read-only servers may share the store, and a writer may not join.
    readers = [start_server("--store", store, "--no-article") for _ in range(2)]
    try:
        with pytest.raises(RuntimeError) as refused:
            start_server("--store", store, "--no-article", env={"KG_WRITE_TOKEN": TOKEN})
        assert "is served by another, read-only kg serve" in str(refused.value)
    finally:
        for reader in readers:
            reader.stop()
