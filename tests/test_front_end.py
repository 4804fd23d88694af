"""The front end's reading rules as pure functions: framing, limits, refusals, client keys."""

from __future__ import annotations

import socket

import h11
import pytest

from kg.clients import address_key
from kg.server.reading import Connection, Limits, Phase, Refusal, advance

LIMITS = Limits(max_body_bytes=10, max_head_bytes=200)


def reading(*chunks: bytes) -> tuple[Connection, list[object]]:
    """Feed bytes to a fresh connection and collect every step until nothing new happens."""
    conn = Connection.accepted(socket.socket(), ("127.0.0.1", 1), "k", ("x", 80), 0.0, LIMITS)
    steps: list[object] = []
    for chunk in chunks:
        conn.protocol.receive_data(chunk)
        while (step := advance(conn, 0.0, LIMITS)) is not None:
            steps.append(step)
            if not isinstance(step, h11.Request):
                break
    conn.sock.close()
    return conn, steps


def test_a_complete_request_is_ready_with_its_body() -> None:
    conn, steps = reading(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab", b"cd")
    assert isinstance(steps[0], h11.Request)
    assert isinstance(steps[-1], h11.EndOfMessage)
    assert (conn.phase, conn.take_body()) == (Phase.READY, b"abcd")


def test_a_declared_body_over_the_limit_is_refused_before_it_is_read() -> None:
    _, steps = reading(b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n")
    assert steps == [Refusal(413, "the body is larger than the 10-byte limit")]


def test_a_chunked_body_over_the_limit_is_refused_as_it_grows() -> None:
    head = b"PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
    _, steps = reading(head, b"6\r\nabcdef\r\n", b"6\r\nghijkl\r\n")
    assert steps[-1] == Refusal(413, "the body is larger than the 10-byte limit")


def test_a_body_cut_short_is_400() -> None:
    _, steps = reading(b"PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\n\r\nabc", b"")
    assert steps[-1] == Refusal(400, "the request body was cut short; nothing was done")


@pytest.mark.parametrize(
    ("data", "status"),
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400),
        (b"GET /?q=secret HTTP/1.1 x\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 300 + b"\r\n\r\n", 431),
    ],
)
def test_malformed_requests_are_refused_without_repeating_them(data: bytes, status: int) -> None:
    _, steps = reading(data)
    [refusal] = steps
    assert isinstance(refusal, Refusal)
    assert refusal.status == status
    assert b"secret" not in refusal.render()


def test_a_refusal_is_a_complete_plain_text_answer() -> None:
    rendered = Refusal(429, "slow down", (("Retry-After", "1"),)).render()
    assert rendered.startswith(b"HTTP/1.1 429 Too Many Requests\r\n")
    assert b"Retry-After: 1\r\n" in rendered
    assert rendered.endswith(b"\r\n\r\n429 Too Many Requests: slow down\n")


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("127.0.0.2", "127.0.0.2"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),
        ("::ffff:10.0.0.1", "10.0.0.1"),
        ("fe80::1%eth0", "fe80::/64"),
        ("unix", "unix"),
    ],
)
def test_client_keys_group_one_host(host: str, key: str) -> None:
    assert address_key(host) == key
