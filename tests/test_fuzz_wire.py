"""Property-based fuzzing of the HTTP front end, byte by byte, against a real ``kg serve``.

Each example opens a loopback connection, sends a request built from fuzzed parts (methods,
targets, versions, headers, Content-Length and chunked framing that may lie, pipelined requests,
raw bytes), half-closes and reads everything back. No answer may be a 5xx and none may take
longer than the deadline + 1 s. The number of requests is FUZZ_WIRE_EXAMPLES, times the
FUZZ_SCALE environment variable (``make fuzz`` raises it).
"""

from __future__ import annotations

import os
import re
import socket
import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.paths import SAMPLE

from tests.support.server import ServerProcess, start_server

pytestmark = pytest.mark.server

FUZZ_WIRE_EXAMPLES = 15_000 * int(os.environ.get("FUZZ_SCALE", "1"))
DEADLINE = 2.0
STATUS = re.compile(rb"HTTP/1\.[01] (\d{3}) ")

METHODS = st.sampled_from([b"GET", b"POST", b"HEAD", b"PUT", b"DELETE", b"OPTIONS", b"get", b"X"])
TARGETS = st.one_of(
    st.sampled_from(
        [
            b"/sparql?query=ASK%7B%7D",
            b"/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%202",
            b"/sparql",
            b"/store?default",
            b"/store?graph=http://e/g",
            b"/",
            b"/id/x",
            b"/id/%E2%82%AC",
            b"/static/pages.css",
            b"*",
            b"http://x/sparql?query=ASK%7B%7D",
        ]
    ),
    st.binary(max_size=40).map(lambda b: b"/" + b),
)
VERSIONS = st.sampled_from([b"HTTP/1.1", b"HTTP/1.0", b"HTTP/2.0", b"HTTP/1.1x", b""])
HEADER_NAMES = st.sampled_from(
    [
        b"Host",
        b"Content-Type",
        b"Accept",
        b"Connection",
        b"Expect",
        b"Authorization",
        b"Transfer-Encoding",
        b"Content-Length",
        b"X_Under",
        b"",
        b" Bad",
    ]
)
HEADER_VALUES = st.one_of(
    st.sampled_from(
        [
            b"x",
            b"application/sparql-query",
            b"application/x-www-form-urlencoded",
            b"text/turtle",
            b"*/*",
            b"close",
            b"keep-alive",
            b"100-continue",
            b"chunked",
            b"gzip, chunked",
            b"5",
            b"-1",
            b"99999999999999999999",
            b"Bearer t",
        ]
    ),
    st.binary(max_size=20),
)
BODIES = st.one_of(
    st.sampled_from([b"", b"ASK {}", b"query=ASK%7B%7D", b"<a:a> <a:b> <a:c> ."]),
    st.binary(max_size=60),
)


@st.composite
def requests(draw: st.DrawFn) -> bytes:
    """Build one request, or a few pipelined, with framing that may or may not be honest."""
    parts = []
    for _ in range(draw(st.integers(1, 3))):
        line = b" ".join(x for x in (draw(METHODS), draw(TARGETS), draw(VERSIONS)) if x)
        headers = draw(st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=5))
        body = draw(BODIES)
        framing = draw(st.sampled_from(["length", "chunked", "none", "lying"]))
        if framing == "length":
            headers.append((b"Content-Length", str(len(body)).encode()))
        elif framing == "chunked":
            headers.append((b"Transfer-Encoding", b"chunked"))
            body = (b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)) if body else b"0\r\n\r\n"
        elif framing == "lying":
            headers.append((b"Content-Length", str(len(body) + draw(st.integers(-5, 5))).encode()))
        head = line + b"\r\n" + b"".join(n + b": " + v + b"\r\n" for n, v in headers)
        parts.append(head + b"\r\n" + body)
    if draw(st.booleans()):
        return b"".join(parts)
    return draw(st.binary(max_size=120))


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    found = start_server(
        "--no-article",
        "--data",
        str(SAMPLE),
        "--query-timeout",
        str(DEADLINE),
        "--write-token",
        "t",
        "--header-timeout",
        "1",
        "--body-timeout",
        "1",
    )
    yield found
    found.stop()


def exchange(port: int, data: bytes) -> tuple[bytes, float]:
    """Send bytes on a new connection, half-close, and read until the server closes."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE + 5) as sock:
        try:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    return received, time.monotonic() - started


@settings(
    max_examples=FUZZ_WIRE_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=requests())
def test_no_bytes_get_a_5xx_or_outlast_the_deadline(server: ServerProcess, data: bytes) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    received, seconds = exchange(port, data)
    statuses = [int(s) for s in STATUS.findall(received)]
    assert all(status < 500 for status in statuses), received[:500]
    assert seconds < DEADLINE + 1, (seconds, data[:200])
