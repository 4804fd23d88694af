"""Local stand-ins for outside services: a SPARQL endpoint playing Wikidata, a bare listener."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from pyoxigraph import QueryResultsFormat, QuerySolutions, RdfFormat, Store


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@dataclass
class StandIn:
    """A SPARQL endpoint on 127.0.0.1 answering from a store, recording what it was sent."""

    store: Store
    requests: list[dict[str, str]] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    too_many: str | None = None
    """When set, answer 429 with this Retry-After value."""
    delay: float = 0.0
    trickle: float = 0.0
    """When set, send the answer one byte at a time, this many seconds apart."""
    url: str = ""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        headers = {
            k[5:].replace("_", "-").title(): v for k, v in environ.items() if k[:5] == "HTTP_"
        }
        self.requests.append(headers)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode()
        if environ.get("CONTENT_TYPE", "").startswith("application/sparql-query"):
            query = body
        else:
            params = parse_qs(body or environ.get("QUERY_STRING", ""))
            query = params["query"][0]
        self.queries.append(query)
        if self.delay:
            time.sleep(self.delay)
        if self.too_many is not None:
            start_response("429 Too Many Requests", [("Retry-After", self.too_many)])
            return [b"slow down"]
        result = self.store.query(query)
        if isinstance(result, QuerySolutions):
            body = result.serialize(format=QueryResultsFormat.JSON) or b""
            media_type = "application/sparql-results+json"
        else:
            body = result.serialize(format=RdfFormat.N_TRIPLES) or b""
            media_type = "application/n-triples"
        start_response("200 OK", [("Content-Type", media_type)])
        if self.trickle:
            return self._trickled(body)
        return [body]

    def _trickled(self, body: bytes) -> Iterator[bytes]:
        """Yield the body a byte at a time, slowly, as a trickling endpoint does."""
        for index in range(len(body)):
            time.sleep(self.trickle)
            yield body[index : index + 1]


@contextmanager
def serve_standin(store: Store) -> Iterator[StandIn]:
    """Run a stand-in endpoint on a free loopback port for the duration of a test."""
    app = StandIn(store)
    server = make_server(
        "127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_QuietHandler
    )
    app.url = f"http://127.0.0.1:{server.server_port}/sparql"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield app
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@dataclass
class Listener:
    """A TCP listener on 127.0.0.1 that counts connections and closes each at once."""

    port: int = 0
    connections: int = 0


@contextmanager
def listen() -> Iterator[Listener]:
    """Count every connection made to a loopback port during a test."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.05)
    found = Listener(sock.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            found.connections += 1
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield found
    finally:
        stop.set()
        thread.join()
        sock.close()
