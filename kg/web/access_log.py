"""One structured access-log line per request, written when the response body is finished.

The line carries the method, the path (never the query string, which may hold a whole query), the
status, the duration, a hash of the query or update text and the size of the body sent. The
endpoint notes the text it read (by GET, form or direct POST); an answer the response cache gave
is hashed from the query string. Tokens and query texts are never logged at info level; the full
text goes to debug only.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs

from flask import Flask, request

from kg.streams import close_stream

log = logging.getLogger("kg.access")

HASH_KEY = "kg.query_hash"

StartResponse = Callable[..., Any]


def query_hash(text: str) -> str:
    """Return a short, stable fingerprint of a query text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def query_string_hash(query_string: str) -> str | None:
    """Hash a query found in the URL, for responses that never reached the app (a cache hit)."""
    found = parse_qs(query_string)
    for name in ("query", "update"):
        if name in found:
            return query_hash(found[name][0])
    return None


def note_text(text: str) -> None:
    """Record the hash of the query or update the current request carries, however it came."""
    request.environ[HASH_KEY] = query_hash(text)
    log.debug("query %s: %s", request.environ[HASH_KEY], text)


class LoggedBody(Iterable[bytes]):
    """A response body that counts what it sends and logs the request when closed."""

    def __init__(
        self, body: Iterable[bytes], environ: dict[str, Any], status: list[int], started: float
    ) -> None:
        self.body = body
        self.environ = environ
        self.status = status
        self.started = started
        self.size = 0
        self.aborted = False

    def __iter__(self) -> Iterator[bytes]:
        try:
            for chunk in self.body:
                self.size += len(chunk)
                yield chunk
        except BaseException:
            self.aborted = True
            raise

    def close(self) -> None:
        """Close the wrapped body, then write the access line."""
        try:
            close_stream(self.body)
        finally:
            log.info(
                json.dumps(
                    {
                        "method": self.environ.get("REQUEST_METHOD"),
                        "path": self.environ.get("PATH_INFO"),
                        "status": self.status[0] if self.status else None,
                        "duration_ms": round((time.perf_counter() - self.started) * 1000, 3),
                        "query_hash": self.environ.get(HASH_KEY)
                        or query_string_hash(self.environ.get("QUERY_STRING", "")),
                        "bytes": self.size,
                        "aborted": self.aborted,
                    }
                )
            )


class AccessLog:
    """WSGI middleware that writes one access line per request."""

    def __init__(self, app: Callable[[dict[str, Any], StartResponse], Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Run the request, remembering its status for the line written at close."""
        started = time.perf_counter()
        status: list[int] = []

        def recording(line: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            status[:] = [int(line.split(" ", 1)[0])]
            return start_response(line, headers, *rest)

        return LoggedBody(self.app(environ, recording), environ, status, started)


def install(app: Flask) -> None:
    """Wrap an application so that every request is logged once."""
    app.wsgi_app = AccessLog(app.wsgi_app)  # type: ignore[method-assign]
