"""Copy a built store into another back end, graph by graph (``kg build --into``)."""

from __future__ import annotations

from collections.abc import Callable

from pyoxigraph import NamedNode, RdfFormat, Store

from kg.execution.base import Backend

NTRIPLES = "application/n-triples"


def push_store(
    store: Store, target: Backend, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Replace each named graph of target with the store's copy; return triples per graph.

    Replacing whole graphs makes the push idempotent: running it twice leaves the same data.
    """
    pushed: dict[str, int] = {}
    for graph in sorted(store.named_graphs(), key=str):
        if not isinstance(graph, NamedNode):
            continue
        data = store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph) or b""
        target.put_graph(graph.value, data, NTRIPLES, replace=True)
        pushed[graph.value] = data.count(b"\n")
        if progress:
            progress(graph.value, pushed[graph.value])
    return pushed
