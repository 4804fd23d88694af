"""Conditional requests and a bounded response cache, both keyed on the store's version.

A GET answer depends only on the request line, its Accept header and the data; the back end's
version changes on every write, so an answer stored under (version, path, query, Accept) is never
stale, and the ETag built from the same key lets clients revalidate with a 304. The cache sits in
front of Flask as WSGI middleware, so a hit costs no routing, no parsing and no evaluation.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

CACHEABLE_STATUS = "200 OK"
HOP_BY_HOP = {"connection", "transfer-encoding", "keep-alive"}


@dataclass(frozen=True)
class Entry:
    """One stored answer."""

    headers: list[tuple[str, str]]
    body: bytes


def entity_tag(key: tuple[str, ...]) -> str:
    """Return the strong ETag for a cache key."""
    return '"' + hashlib.blake2b("\x00".join(key).encode(), digest_size=12).hexdigest() + '"'


def revalidates(if_none_match: str, tag: str) -> bool:
    """Tell whether an If-None-Match header names this tag (or any, with ``*``)."""
    names = {name.strip().removeprefix("W/") for name in if_none_match.split(",")}
    return tag in names or "*" in names


def forbids_storing(headers: list[tuple[str, str]]) -> bool:
    """Tell whether an answer says no cache may keep it (``Cache-Control: no-store``).

    Such an answer depends on more than the store's version (the releases on disk), so it gets
    no ETag either: a revalidation keyed on the version could wrongly answer 304.
    """
    return any(
        name.lower() == "cache-control"
        and "no-store" in (part.strip().lower() for part in value.split(","))
        for name, value in headers
    )


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
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            environ.get("HTTP_ACCEPT", ""),
        )
        tag = entity_tag(key)
        if revalidates(environ.get("HTTP_IF_NONE_MATCH", ""), tag):
            start_response("304 Not Modified", [("ETag", tag)])
            return []
        with self.lock:
            entry = self.entries.get(key)
            if entry is not None:
                self.entries.move_to_end(key)
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
            if status == CACHEABLE_STATUS and not forbids_storing(headers):
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
            close = getattr(body, "close", None)
            if close is not None:
                close()
        if kept is not None and seen.get("status") == CACHEABLE_STATUS and "headers" in seen:
            self._store(key, Entry(seen["headers"], b"".join(kept)))

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
