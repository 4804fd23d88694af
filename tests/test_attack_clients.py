"""Attacks by slow, idle and greedy clients on a real ``kg serve``; a normal client stays served.

Each attack comes from 127.0.0.2 (and up) while a probe on 127.0.0.1 asks ``ASK {}`` and must be
answered within 2 s. Before the front end read requests itself, ten clients sending a header
byte a second blocked every answer for 40 s, and 200 idle connections for 125 s.
"""

from __future__ import annotations

import socket
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
from support.attack import (
    ATTACKER,
    Probe,
    ask,
    connect,
    read_response,
    request,
)
from support.paths import SAMPLE

from tests.support.server import ServerProcess, start_server

pytestmark = pytest.mark.server

HEADER_TIMEOUT = 2
BODY_TIMEOUT = 3
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("attack") / "numbers.ttl"
    data.write_text(
        "".join(f"<http://e/s{i}> <http://e/p> {i} .\n" for i in range(3000)), encoding="utf-8"
    )
    found = start_server(
        "--no-article",
        "--data",
        str(SAMPLE),
        "--data",
        str(data),
        "--header-timeout",
        str(HEADER_TIMEOUT),
        "--body-timeout",
        str(BODY_TIMEOUT),
        "--response-cache-mb",
        "0",
    )
    yield found
    found.stop()


def trickle(socks: list[socket.socket], data: bytes, seconds: float) -> None:
    """Send data one byte at a time on every socket, a byte each 0.5 s, for a while."""
    stop_at = time.monotonic() + seconds
    index = 0
    while time.monotonic() < stop_at and index < len(data):
        for sock in socks:
            try:
                sock.send(data[index : index + 1])
            except OSError:
                continue
        index += 1
        time.sleep(0.5)


def test_slow_headers_do_not_hold_a_worker(server: ServerProcess) -> None:
    head = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 100
    with ExitStack() as stack:
        socks = [stack.enter_context(connect(server.url)) for _ in range(24)]
        started = time.monotonic()
        with Probe(server.sparql) as probe:
            trickle(socks, head, HEADER_TIMEOUT + 1.5)
        probe.assert_served()
        answers = [read_response(sock, 3) for sock in socks]
    assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), answers[0]
    assert b"the request head took longer than 2 s" in answers[0]
    assert time.monotonic() - started < HEADER_TIMEOUT + 6


def test_idle_connections_do_not_hold_a_worker(server: ServerProcess) -> None:
    with ExitStack() as stack:
        socks = [stack.enter_context(connect(server.url)) for _ in range(200)]
        with Probe(server.sparql) as probe:
            time.sleep(1.5)
        probe.assert_served()
        # Past the per-client cap (64) the server answered at once and closed.
        refused = [read_response(sock, 0.2) for sock in socks[100:]]
    assert all(r.startswith(b"HTTP/1.1 429 ") for r in refused), refused[0]
    assert b"Retry-After: 1" in refused[0]
    assert b"this client has 64 connections open" in refused[0]


def test_idle_connections_from_many_addresses_make_room(tmp_path: Path) -> None:
    small = start_server("--no-article", "--data", str(SAMPLE), "--max-connections", "40")
    try:
        with ExitStack() as stack:
            for host in range(2, 12):
                for _ in range(8):
                    stack.enter_context(connect(small.url, source=f"127.0.0.{host}"))
            time.sleep(0.3)
            with Probe(small.sparql) as probe:
                time.sleep(1.5)
            probe.assert_served()
    finally:
        small.stop()


def test_slow_bodies_do_not_hold_a_worker(server: ServerProcess) -> None:
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 400\r\n\r\nASK"
    )
    with ExitStack() as stack:
        socks = [stack.enter_context(connect(server.url)) for _ in range(24)]
        for sock in socks:
            sock.sendall(head)
        with Probe(server.sparql) as probe:
            trickle(socks, b" " * 100, BODY_TIMEOUT + 1.5)
        probe.assert_served()
        answers = [read_response(sock, 3) for sock in socks]
    assert all(a.startswith(b"HTTP/1.1 408 ") for a in answers), answers[0]
    assert b"the request body took longer than 3 s" in answers[0]


def test_a_body_cut_short_is_400(server: ServerProcess) -> None:
    with connect(server.url) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 100\r\n\r\nASK {}"
        )
        sock.shutdown(socket.SHUT_WR)
        answer = read_response(sock)
    assert answer.startswith(b"HTTP/1.1 400 "), answer
    assert b"the request body was cut short; nothing was done" in answer


def test_a_greedy_client_gets_429_while_others_are_served(server: ServerProcess) -> None:
    runaway = server.sparql + "?" + urllib.parse.urlencode({"query": RUNAWAY, "timeout": "6"})
    statuses: list[tuple[int, str | None]] = []

    def greedy() -> None:
        answer = request(runaway, source=ATTACKER)
        statuses.append((answer.status, answer.headers.get("retry-after")))

    threads = [threading.Thread(target=greedy) for _ in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    with Probe(server.sparql) as probe:
        time.sleep(2.0)
    probe.assert_served()
    for thread in threads:
        thread.join()
    # Two queries hold the client's share (2 of 4 slots) until their deadline; the others
    # waited their second in line and were told to come back.
    assert sorted(statuses) == [(429, "1"), (429, "1"), (504, None), (504, None)]


def test_the_normal_client_is_still_answered_afterwards(server: ServerProcess) -> None:
    answer = ask(server.sparql)
    assert (answer.status, answer.body) == (200, b'{"head":{},"boolean":true}')
