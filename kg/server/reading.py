"""One client connection as the event loop reads it: h11 frames the bytes, limits are checked.

A connection moves through phases: waiting for a request (IDLE), reading its head (HEAD) or its
body (BODY), complete and waiting for a thread (READY), being answered by a thread (APP), and
closing after a refusal (CLOSING). Every phase but READY and APP has a deadline.
"""

from __future__ import annotations

import enum
import socket
from dataclasses import dataclass, field

import h11

REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    413: "Content Too Large",
    414: "URI Too Long",
    417: "Expectation Failed",
    429: "Too Many Requests",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    501: "Not Implemented",
    503: "Service Unavailable",
    505: "HTTP Version Not Supported",
}


class Phase(enum.Enum):
    """Where a connection is in the life of one request."""

    IDLE = "idle"
    HEAD = "head"
    BODY = "body"
    READY = "ready"
    APP = "app"
    CLOSING = "closing"


@dataclass(frozen=True)
class Limits:
    """What the front end allows one request and one client; README "Running in production"."""

    header_timeout: float = 10.0
    body_timeout: float = 60.0
    keepalive_timeout: float = 5.0
    send_timeout: float = 30.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_head_bytes: int = 64 * 1024
    max_connections: int = 1024
    max_connections_per_client: int = 64
    threads: int = 16
    client_threads: int = 8
    buffered_body_bytes: int = 256 * 1024 * 1024


@dataclass(frozen=True)
class Refusal:
    """A request the front end answers itself, then closes the connection."""

    status: int
    message: str
    headers: tuple[tuple[str, str], ...] = ()

    def render(self) -> bytes:
        """Return the whole HTTP response, in the application's plain-text error shape."""
        reason = REASONS.get(self.status, "Error")
        body = f"{self.status} {reason}: {self.message}\n".encode()
        lines = [
            f"HTTP/1.1 {self.status} {reason}",
            "Content-Type: text/plain; charset=utf-8",
            f"Content-Length: {len(body)}",
            "Connection: close",
            "X-Content-Type-Options: nosniff",
            *(f"{name}: {value}" for name, value in self.headers),
        ]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass(eq=False)
class Connection:
    """A client socket, its HTTP state and the request being read on it."""

    sock: socket.socket
    address: tuple[str, int]
    key: str
    server: tuple[str, int]
    deadline: float
    protocol: h11.Connection
    phase: Phase = Phase.HEAD
    request: h11.Request | None = None
    body: list[bytes] = field(default_factory=list)
    body_size: int = 0
    reserved: int = 0
    continued: bool = False

    @classmethod
    def accepted(
        cls,
        sock: socket.socket,
        address: tuple[str, int],
        key: str,
        server: tuple[str, int],
        now: float,
        limits: Limits,
    ) -> Connection:
        """Wrap a new connection: its first request head is due within the header timeout."""
        protocol = h11.Connection(h11.SERVER, max_incomplete_event_size=limits.max_head_bytes)
        return cls(sock, address, key, server, now + limits.header_timeout, protocol)

    def take_body(self) -> bytes:
        """Return the body read so far and forget it."""
        data = b"".join(self.body)
        self.body = []
        return data

    def next_request(self, now: float, limits: Limits) -> None:
        """Get ready for the next request on a kept-alive connection."""
        self.protocol.start_next_cycle()
        self.phase = Phase.IDLE
        self.deadline = now + limits.keepalive_timeout
        self.request = None
        self.body_size = 0
        self.continued = False


Step = Refusal | h11.Request | h11.EndOfMessage | h11.ConnectionClosed | None
"""What reading found: a refusal, a head, a complete request, a closed connection, or nothing."""


def declared_length(request: h11.Request) -> int | None:
    """Return the Content-Length a request declares, if any (h11 has checked its form)."""
    for name, value in request.headers:
        if name == b"content-length":
            return int(value)
    return None


def advance(conn: Connection, now: float, limits: Limits) -> Step:
    """Consume what h11 can frame from the bytes received so far; stop at the first news."""
    while True:
        try:
            event = conn.protocol.next_event()
        except h11.RemoteProtocolError as error:
            return refusal_for(conn, error, limits)
        if event is h11.NEED_DATA or event is h11.PAUSED:
            return None
        if isinstance(event, h11.Request):
            if head_size(event) > limits.max_head_bytes:
                return Refusal(
                    431, f"the request head is larger than {limits.max_head_bytes} bytes"
                )
            conn.request = event
            conn.phase = Phase.BODY
            conn.deadline = now + limits.body_timeout
            length = declared_length(event)
            if length is not None and length > limits.max_body_bytes:
                return too_large(limits)
            return event
        if isinstance(event, h11.Data):
            conn.body_size += len(event.data)
            if conn.body_size > limits.max_body_bytes:
                return too_large(limits)
            conn.body.append(bytes(event.data))
            continue
        if isinstance(event, h11.EndOfMessage):
            conn.phase = Phase.READY
            return event
        if isinstance(event, h11.ConnectionClosed):
            return event


def head_size(request: h11.Request) -> int:
    """Return about how many bytes a request head took (h11 caps only heads still arriving)."""
    line = len(request.method) + len(request.target) + 10
    return line + sum(len(name) + len(value) + 4 for name, value in request.headers)


def head_too_large(limits: Limits) -> Refusal:
    """Refuse a request line and headers over the limit."""
    return Refusal(431, f"the request head is larger than {limits.max_head_bytes} bytes")


def too_large(limits: Limits) -> Refusal:
    """Refuse a body over the limit, whether its length was declared or it came in chunks."""
    return Refusal(413, f"the body is larger than the {limits.max_body_bytes}-byte limit")


def refusal_for(conn: Connection, error: h11.RemoteProtocolError, limits: Limits) -> Refusal:
    """Turn h11's complaint into a refusal; a body cut short says so.

    The message never repeats the request line or a header: they may hold a query or a token.
    """
    if conn.phase is Phase.BODY:
        return Refusal(400, "the request body was cut short; nothing was done")
    status = error.error_status_hint
    if status == 431:
        return head_too_large(limits)
    if status == 501:
        # h11's hint for a transfer coding other than chunked; RFC 9112 (6.1) requires 400
        # when chunked is not the final coding, since the body's length cannot be known.
        return Refusal(400, "only the chunked transfer coding is accepted")
    return Refusal(min(status, 400), "the request is not valid HTTP/1.1")
