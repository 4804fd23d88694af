"""The execution interface: run a query, an update or a graph transfer against a store.

Two back ends implement it (the embedded pyoxigraph store, a remote SPARQL 1.1 store); the web
layer and the CLI only ever see this interface.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal, Protocol

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]

DEFAULT_GRAPH = "default"
"""Graph selector for the store's own default graph (the Graph Store Protocol's ``?default``)."""


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset of a request; empty means the default graph is the union of all graphs."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @property
    def is_union(self) -> bool:
        """Tell whether the request named no dataset, so the union default graph applies."""
        return not self.default_graphs and not self.named_graphs


@dataclass(frozen=True)
class QueryJob:
    """A query that policy has accepted, with the response format negotiated for it."""

    text: str
    media_type: str
    dataset: Dataset = field(default_factory=Dataset)
    timeout: float = 30.0


@dataclass
class Outcome:
    """A result being produced: its media type and its body as a stream of bytes.

    Closing ``chunks`` (as a WSGI server does when the client goes away) stops the work.
    """

    media_type: str
    chunks: Iterator[bytes]
    headers: dict[str, str] = field(default_factory=dict)

    def read_all(self) -> bytes:
        """Consume the stream into one bytes object (small results only)."""
        return b"".join(self.chunks)


class Backend(Protocol):
    """What the web layer and the CLI need from a store."""

    @property
    def version(self) -> int:
        """Return a number that changes on every write (for ETags and cache invalidation)."""
        ...

    @property
    def writable(self) -> bool:
        """Tell whether this back end accepts updates and graph writes."""
        ...

    def query(self, job: QueryJob) -> Outcome:
        """Run a query under its deadline and stream the serialized result."""
        ...

    def export(self, graph: str | None, media_type: str, timeout: float) -> Outcome:
        """Serialize one graph (an IRI or DEFAULT_GRAPH) or, with None, the whole dataset."""
        ...

    def graph_names(self) -> list[str]:
        """List the named graphs in the store."""
        ...

    def has_graph(self, graph: str) -> bool:
        """Tell whether a named graph exists (DEFAULT_GRAPH always does)."""
        ...

    def update(self, text: str, dataset: Dataset, timeout: float) -> None:
        """Apply a SPARQL Update durably before returning."""
        ...

    def put_graph(self, graph: str, data: bytes, media_type: str, *, replace: bool) -> bool:
        """Load RDF into a graph (replacing it or adding to it); return True if it was created."""
        ...

    def drop_graph(self, graph: str) -> bool:
        """Remove a graph; return False if it did not exist."""
        ...

    def close(self) -> None:
        """Release processes, files and connections."""
        ...
