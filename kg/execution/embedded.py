"""The embedded back end: a pyoxigraph Store in this process."""

from __future__ import annotations

import threading

from pyoxigraph import DefaultGraph, NamedNode, QueryBoolean, QuerySolutions, Store

from kg.errors import EngineError, NotFound, QuerySyntaxError
from kg.execution.base import DEFAULT_GRAPH, Dataset, Outcome, QueryJob
from kg.execution.formats import rdf_format, results_format


def graph_term(graph: str) -> NamedNode | DefaultGraph:
    """Return the pyoxigraph term for a graph selector."""
    return DefaultGraph() if graph == DEFAULT_GRAPH else NamedNode(graph)


def dataset_options(dataset: Dataset) -> dict[str, object]:
    """Return the Store.query keyword arguments that select a request's dataset."""
    if dataset.is_union:
        return {"use_default_graph_as_union": True}
    return {
        "default_graph": [NamedNode(g) for g in dataset.default_graphs],
        "named_graphs": [NamedNode(g) for g in dataset.named_graphs],
    }


def evaluate(store: Store, job: QueryJob) -> bytes:
    """Evaluate a query and serialize its result natively."""
    try:
        result = store.query(job.text, **dataset_options(job.dataset))  # type: ignore[arg-type]
    except SyntaxError as error:
        raise QuerySyntaxError(str(error)) from None
    try:
        if isinstance(result, QuerySolutions | QueryBoolean):
            return result.serialize(format=results_format(job.media_type)) or b""
        return result.serialize(format=rdf_format(job.media_type)) or b""
    except OSError as error:
        raise EngineError(str(error)) from error


class EmbeddedBackend:
    """Serve a pyoxigraph Store living in this process."""

    def __init__(self, store: Store, *, writable: bool = False) -> None:
        self.store = store
        self._writable = writable
        self._version = 0
        self._write_lock = threading.Lock()

    @property
    def version(self) -> int:
        """Return the write counter."""
        return self._version

    @property
    def writable(self) -> bool:
        """Tell whether writes are enabled."""
        return self._writable

    def query(self, job: QueryJob) -> Outcome:
        """Run a query and return its serialized result."""
        body = evaluate(self.store, job)
        return Outcome(job.media_type, iter([body]))

    def export(self, graph: str | None, media_type: str, timeout: float) -> Outcome:
        """Serialize a graph or the whole dataset."""
        fmt = rdf_format(media_type)
        if graph is None:
            body = self.store.dump(format=fmt)
        else:
            if not self.has_graph(graph):
                raise NotFound(f"no graph named <{graph}> in this store")
            body = self.store.dump(format=fmt, from_graph=graph_term(graph))
        return Outcome(media_type, iter([body or b""]))

    def graph_names(self) -> list[str]:
        """List named graphs."""
        return sorted(g.value for g in self.store.named_graphs() if isinstance(g, NamedNode))

    def has_graph(self, graph: str) -> bool:
        """Tell whether a graph exists."""
        return graph == DEFAULT_GRAPH or self.store.contains_named_graph(NamedNode(graph))

    def update(self, text: str, dataset: Dataset, timeout: float) -> None:
        """Apply an update."""
        with self._write_lock:
            try:
                self.store.update(text)
            except SyntaxError as error:
                raise QuerySyntaxError(str(error)) from None
            self._version += 1

    def put_graph(self, graph: str, data: bytes, media_type: str, *, replace: bool) -> bool:
        """Load RDF into a graph."""
        with self._write_lock:
            created = not self.has_graph(graph)
            if replace and not created:
                self.store.clear_graph(graph_term(graph))
            self.store.load(data, format=rdf_format(media_type), to_graph=graph_term(graph))
            self._version += 1
            return created

    def drop_graph(self, graph: str) -> bool:
        """Remove a graph."""
        with self._write_lock:
            if not self.has_graph(graph):
                return False
            term = graph_term(graph)
            if isinstance(term, DefaultGraph):
                self.store.clear_graph(term)
            else:
                self.store.remove_graph(term)
            self._version += 1
            return True

    def close(self) -> None:
        """Nothing to release for an in-process store."""
