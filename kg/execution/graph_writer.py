"""Write whole graphs into a remote store the way that store takes them best.

Through its Graph Store Protocol endpoint when it has one (given, or found beside its update
endpoint): one request per graph, parsed by the store, blank nodes whole, no size limit. Otherwise
through SPARQL Update sent as ``application/sparql-update`` bodies (never a form, which Fuseki
caps at 1 MiB), split into batches that keep linked blank nodes together (``update_batches``).
Replacing a graph is idempotent either way, so a transient failure replays the whole replacement.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import requests
from pyoxigraph import NamedNode, RdfFormat, parse, serialize

from kg.errors import BadRequest
from kg.execution.graph_store import GraphStore, discover
from kg.execution.store_requests import RetryPolicy, send, with_retries
from kg.execution.update_batches import BatchLimits, batches, clear_text, insert_text
from kg.formats import rdf_format

PushVia = Literal["auto", "graph-store", "update"]
UPDATE_TYPE = "application/sparql-update"
NTRIPLES = "application/n-triples"
UPDATE_TIMEOUT = 600.0


def as_ntriples(data: bytes, media_type: str) -> bytes:
    """Return RDF as N-Triples, the one format every Graph Store endpoint reads the same way.

    Any other format is parsed here, so a body that does not parse is refused before a request.
    """
    if media_type == NTRIPLES:
        return data
    try:
        triples = parse(data, format=rdf_format(media_type))
        return serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    except SyntaxError as error:
        raise BadRequest(f"the {media_type} body does not parse: {error}") from None


@dataclass(frozen=True)
class WriteOptions:
    """How graphs are written into a remote store."""

    via: PushVia = "auto"
    graph_store_url: str | None = None
    limits: BatchLimits = field(default_factory=BatchLimits)
    retry: RetryPolicy = field(default_factory=RetryPolicy)


class GraphWriter:
    """Replace, add to and drop named graphs of one remote store."""

    def __init__(
        self, session: requests.Session, update_url: str, options: WriteOptions | None = None
    ) -> None:
        self.session = session
        self.update_url = update_url
        self.options = options or WriteOptions()
        self._graph_store: GraphStore | None = None
        self._looked = False

    @property
    def graph_store(self) -> GraphStore | None:
        """Return the store's Graph Store endpoint, looked for once; None to use updates."""
        if not self._looked:
            self._graph_store = self._find_graph_store()
            self._looked = True
        return self._graph_store

    def _find_graph_store(self) -> GraphStore | None:
        """Take the given endpoint, or look for one unless updates were asked for."""
        options = self.options
        if options.via == "update":
            return None
        url = options.graph_store_url or discover(self.session, self.update_url, options.retry)
        if url is None and options.via == "graph-store":
            raise BadRequest(
                f"no Graph Store endpoint answers beside {self.update_url}; give its URL "
                "with --gsp-url, or push with --push-via update"
            )
        return None if url is None else GraphStore(self.session, url, options.retry)

    def describe(self) -> str:
        """Say how graphs are written (for a summary line)."""
        found = self.graph_store
        if found is None:
            return f"SPARQL Update at {self.update_url}"
        return f"the Graph Store Protocol at {found.url}"

    def replace(self, graph: str, data: bytes, media_type: str) -> bool | None:
        """Replace a graph whole; return True if created, None when the store cannot say."""
        found = self.graph_store
        if found is not None:
            return found.put(graph, as_ntriples(data, media_type), NTRIPLES)
        texts = [clear_text(graph)] + [
            insert_text(graph, batch) for batch in self._batches(data, media_type)
        ]
        with_retries(lambda: self._run_all(texts), self.options.retry)
        return None

    def add(self, graph: str, data: bytes, media_type: str) -> bool | None:
        """Add triples to a graph (not retried: a repeat would copy its blank nodes)."""
        found = self.graph_store
        if found is not None:
            return found.post(graph, as_ntriples(data, media_type), NTRIPLES)
        self._run_all([insert_text(graph, batch) for batch in self._batches(data, media_type)])
        return None

    def drop(self, graph: str) -> bool | None:
        """Remove a graph; return False if it was not there, None when the store cannot say."""
        found = self.graph_store
        if found is not None:
            return found.delete(graph)
        text = f"DROP SILENT GRAPH {NamedNode(graph)}"
        with_retries(lambda: self.run_update(text), self.options.retry)
        return None

    def _batches(self, data: bytes, media_type: str) -> list[list[str]]:
        """Split the data into update-sized batches (parsing all of it before any request)."""
        try:
            return list(batches(data, media_type, self.options.limits))
        except SyntaxError as error:
            raise BadRequest(f"the {media_type} body does not parse: {error}") from None

    def _run_all(self, texts: Iterable[str]) -> None:
        """Send each update in turn."""
        for text in texts:
            self.run_update(text)

    def run_update(self, text: str, timeout: float = UPDATE_TIMEOUT) -> None:
        """Send one update as an application/sparql-update body (its dataset is in its text)."""
        send(
            self.session,
            "POST",
            self.update_url,
            timeout=timeout,
            data=text.encode("utf-8"),
            headers={"Content-Type": f"{UPDATE_TYPE}; charset=utf-8"},
        ).close()
