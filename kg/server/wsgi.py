"""Run the WSGI application on a request that was read completely, and write its answer.

This runs in a pool thread. The request is already in memory, so the thread never waits for a
client to send; writes to the client are bounded by the send timeout, so a client that stops
reading cannot hold the thread either.
"""

from __future__ import annotations

import io
import logging
import select
import socket
import sys
from collections.abc import Callable, Iterable
from email.utils import formatdate
from http import HTTPStatus
from types import TracebackType
from typing import Any
from urllib.parse import unquote_to_bytes

import h11

from kg.server.reading import Connection
from kg.streams import close_stream

log = logging.getLogger("kg.server")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


ABANDONED = "kg.abandoned"
"""Environ key of a function telling whether the client has closed its connection."""


def peer_closed(sock: socket.socket) -> bool:
    """Tell whether the client closed its side (or reset it) before its answer was sent.

    The request was read whole, so anything still to read is the next pipelined request; an
    end of stream means the client will read nothing more (as nginx takes it, too).
    """
    try:
        # The socket has a timeout, which makes recv wait for data whatever its flags say:
        # look first, without waiting.
        readable, _, _ = select.select([sock], [], [], 0)
        return bool(readable) and sock.recv(1, socket.MSG_PEEK) == b""
    except (BlockingIOError, InterruptedError):
        return False
    except (OSError, ValueError):
        return True


def split_target(target: bytes) -> tuple[bytes, bytes]:
    """Return the path and query string of a request target (origin or absolute form)."""
    if not target.startswith(b"/"):
        scheme, sep, rest = target.partition(b"://")
        if sep and scheme.lower() in (b"http", b"https"):
            target = b"/" + rest.partition(b"/")[2]
    path, _, query = target.partition(b"?")
    return path.partition(b"#")[0], query


def build_environ(
    conn: Connection, request: h11.Request, body: bytes, server: tuple[str, int]
) -> dict[str, Any]:
    """Return the WSGI environ of a request (PEP 3333: native strings hold Latin-1 bytes)."""
    path, query = split_target(request.target)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": request.method.decode("latin-1"),
        "SCRIPT_NAME": "",
        "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
        "QUERY_STRING": query.decode("latin-1"),
        "SERVER_NAME": server[0],
        "SERVER_PORT": str(server[1]),
        "SERVER_PROTOCOL": "HTTP/" + request.http_version.decode("latin-1"),
        "REMOTE_ADDR": conn.address[0],
        "REMOTE_PORT": str(conn.address[1]),
        # The whole body is here, chunked or not, so its length is known exactly.
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        ABANDONED: lambda: peer_closed(conn.sock),
    }
    for raw_name, raw_value in request.headers:
        name = raw_name.decode("latin-1")
        if "_" in name:
            # Header names with underscores would collide with dashes in the environ: a client
            # could pass one off as another (as nginx and gunicorn also refuse).
            continue
        value = raw_value.decode("latin-1")
        if name == "content-type":
            environ["CONTENT_TYPE"] = value
            continue
        if name == "content-length":
            continue
        key = "HTTP_" + name.upper().replace("-", "_")
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


class Answer:
    """The response being written: start_response's status and headers, then the body."""

    def __init__(self, conn: Connection, head_only: bool) -> None:
        self.conn = conn
        self.head_only = head_only
        self.status = 0
        self.reason = b""
        self.headers: list[tuple[str, str]] = []
        self.sent_head = False
        self.head = b""

    def start_response(
        self, status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = None
    ) -> Callable[[bytes], None]:
        """Record the status and headers (WSGI's start_response)."""
        if exc_info is not None and self.sent_head:
            raise exc_info[1].with_traceback(exc_info[2])
        code, _, reason = status.partition(" ")
        self.status = int(code)
        self.reason = reason.encode("latin-1")
        self.headers = list(headers)
        return self.write

    def send(self, event: h11.Event) -> None:
        """Frame an event with h11 and send its bytes, with the head if it still waits."""
        data = self.conn.protocol.send(event)
        if self.head:
            data, self.head = self.head + (data or b""), b""
        if data:
            self.conn.sock.sendall(data)

    def send_head(self) -> None:
        """Frame the status line and headers, once; they leave with the first body bytes.

        A small answer then costs one write to the socket instead of three.
        """
        if self.sent_head:
            return
        names = {name.lower() for name, _ in self.headers}
        extra = [] if "date" in names else [("Date", formatdate(usegmt=True))]
        headers = [(n.encode("latin-1"), v.encode("latin-1")) for n, v in self.headers + extra]
        head = h11.Response(status_code=self.status, headers=headers, reason=self.reason)
        self.sent_head = True
        self.head = self.conn.protocol.send(head) or b""

    def write(self, chunk: bytes) -> None:
        """Send part of the body (also WSGI's write callable)."""
        self.send_head()
        if chunk and not self.head_only:
            self.send(h11.Data(data=chunk))

    def finish(self) -> None:
        """End the response."""
        self.send_head()
        self.send(h11.EndOfMessage())


def respond(
    app: WsgiApp, conn: Connection, body: bytes, server: tuple[str, int], send_timeout: float
) -> bool:
    """Answer one request with the application; return whether the connection may be reused.

    The socket blocks for this thread, each send bounded by ``send_timeout``.
    """
    request = conn.request
    assert request is not None
    conn.sock.settimeout(send_timeout)
    answer = Answer(conn, request.method == b"HEAD")
    try:
        result = app(build_environ(conn, request, body, server), answer.start_response)
        try:
            for chunk in result:
                answer.write(chunk)
            answer.finish()
        finally:
            close_stream(result)
    except (OSError, h11.LocalProtocolError):
        # The client went away or stopped reading (send timeout); the answer is abandoned.
        return False
    except Exception:
        log.exception("the application failed on %s", request.method.decode("latin-1"))
        if not answer.sent_head:
            fail(answer)
        return False
    return conn.protocol.our_state is h11.DONE and conn.protocol.their_state is h11.DONE


def fail(answer: Answer) -> None:
    """Answer 500 when the application raised before it started its response."""
    message = b"500 Internal error: the server failed; the error is logged\n"
    answer.start_response(
        f"500 {HTTPStatus(500).phrase}",
        [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(message)))],
    )
    try:
        answer.write(message)
        answer.finish()
    except (OSError, h11.LocalProtocolError):
        pass
