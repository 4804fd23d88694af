"""Conditional requests and a bounded response cache, both keyed on the store's version.

A GET answer depends on the request line, its Accept header, the host it was sent to (the
Service Description names the URL it was reached at) and the data; the back end's version
changes on every write, so an answer stored under (version, scheme, host, path, query, Accept)
is never stale, and the ETag built from the same key lets clients revalidate with a 304. Nothing
else a client sends changes an answer (relative IRIs resolve against the endpoint's published
IRI, not the request's host), so no client can put an answer in the cache that another would
not have got. An answer that says ``Cache-Control: max-age=N`` (one that called Wikidata live)
is kept at most N seconds; ``no-store`` is never kept. The cache sits in front of Flask as WSGI
middleware, so a hit costs no routing, no parsing and no evaluation.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kg.streams import close_stream

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CACHEABLE_STATUS = "200 OK"
HOP_BY_HOP = {"connection", "transfer-encoding", "keep-alive"}
_MAX_AGE = re.compile(r"max-age=(\d+)")


@dataclass(frozen=True)
class Entry:
    """One stored answer, and until when it may be served (None: until the next write)."""

    headers: list[tuple[str, str]]
    body: bytes
    expires: float | None = None

    @property
    def fresh(self) -> bool:
        """Tell whether the entry may still be served."""
        return self.expires is None or time.monotonic() < self.expires


def lifetime(headers: list[tuple[str, str]]) -> float | None:
    """Return how many seconds an answer may be kept, from its Cache-Control (None: no bound).

    >>> lifetime([("Cache-Control", "max-age=60")]), lifetime([])
    (60.0, None)
    >>> lifetime([("Cache-Control", "no-store")])
    0.0
    """
    for name, value in headers:
        if name.lower() != "cache-control":
            continue
        if "no-store" in value or "no-cache" in value:
            return 0.0
        found = _MAX_AGE.search(value)
        if found:
            return float(found.group(1))
    return None


def entity_tag(key: tuple[str, ...]) -> str:
    """Return the strong ETag for a cache key."""
    return '"' + hashlib.blake2b("\x00".join(key).encode(), digest_size=12).hexdigest() + '"'


def revalidates(if_none_match: str, tag: str) -> bool:
    """Tell whether an If-None-Match header names this tag (or any, with ``*``)."""
    names = {name.strip().removeprefix("W/") for name in if_none_match.split(",")}
    return tag in names or "*" in names


class ResponseCache:
    """Serve repeated GETs from memory and answer If-None-Match with 304."""

    def __init__(
        self,
        app: WSGIApplication,
        version: Callable[[], int],
        *,
        max_bytes: int,
        max_entry_bytes: int = 1024 * 1024,
    ) -> None:
        self.app = app
        self.version = version
        self.max_bytes = max_bytes
        self.max_entry_bytes = min(max_entry_bytes, max_bytes)
        self.entries: OrderedDict[tuple[str, ...], Entry] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Answer from the cache when possible, else pass through and keep a copy."""
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        key = (
            str(self.version()),
            environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT", ""),
        )
        tag = entity_tag(key)
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None and not entry.fresh:
                del self.entries[key]
                self.size -= len(entry.body)
                entry = None
            if entry is not None:
                self.entries.move_to_end(key)
        bounded = entry is not None and entry.expires is not None
        if not bounded and revalidates(environ.get("HTTP_IF_NONE_MATCH", ""), tag):
            start_response("304 Not Modified", [("ETag", tag)])
            return []
        if entry is not None:
            start_response(CACHEABLE_STATUS, entry.headers)
            return [] if environ["REQUEST_METHOD"] == "HEAD" else [entry.body]
        return self._pass_through(environ, start_response, key, tag)

    def _pass_through(
        self,
        environ: WSGIEnvironment,
        start_response: StartResponse,
        key: tuple[str, ...],
        tag: str,
    ) -> Iterable[bytes]:
        """Call the app, tagging a 200 answer and remembering it if it is small enough."""
        seen: dict[str, Any] = {}

        def tagging_start_response(status: str, headers: list[tuple[str, str]], *exc: Any) -> Any:
            seen["status"] = status
            if status == CACHEABLE_STATUS:
                # An answer kept for a while only (live Wikidata) or never (no-store: it depends
                # on more than the store's version) is not revalidated by tag.
                if lifetime(headers) is None:
                    headers = [*headers, ("ETag", tag)]
                seen["headers"] = [(n, v) for n, v in headers if n.lower() not in HOP_BY_HOP]
            return start_response(status, headers, *exc)

        body = self.app(environ, tagging_start_response)
        if environ["REQUEST_METHOD"] == "HEAD":
            return body
        return self._recording(body, seen, key)

    def _recording(
        self, body: Iterable[bytes], seen: dict[str, Any], key: tuple[str, ...]
    ) -> Iterator[bytes]:
        """Stream the body through, keeping it when the whole answer is a small 200."""
        kept: list[bytes] | None = []
        kept_size = 0
        try:
            for chunk in body:
                if kept is not None:
                    kept_size += len(chunk)
                    kept = kept if kept_size <= self.max_entry_bytes else None
                    if kept is not None:
                        kept.append(chunk)
                yield chunk
        finally:
            close_stream(body)
        if kept is not None and seen.get("status") == CACHEABLE_STATUS and "headers" in seen:
            seconds = lifetime(seen["headers"])
            if seconds is None:
                self._store(key, Entry(seen["headers"], b"".join(kept)))
            elif seconds > 0:
                expires = time.monotonic() + seconds
                self._store(key, Entry(seen["headers"], b"".join(kept), expires))

    def _store(self, key: tuple[str, ...], entry: Entry) -> None:
        """Add an entry, evicting the least recently used ones past the byte budget."""
        with self.lock:
            if key in self.entries:
                return
            self.entries[key] = entry
            self.size += len(entry.body)
            while self.size > self.max_bytes and self.entries:
                _, evicted = self.entries.popitem(last=False)
                self.size -= len(evicted.body)
