"""Write a graph as SPARQL Update requests small enough for any store, blank nodes kept whole.

One form is used for every store: ``INSERT { GRAPH <g> { … } } WHERE {}``. Virtuoso 7.2 refuses
blank nodes in ``INSERT DATA`` ("Blank node … is not allowed in a constant clause") and fails on
more than about 1,500 triples in one request (its SPARQL compiler's stack and its 10,000 lines of
generated SQL), while oxigraph and Fuseki accept both forms. A blank node names one node only
within one request, so every triple that shares a blank node (directly or through a chain of
them) goes into the same request; only such a group larger than the limit makes a larger one.

>>> linked = b"_:a <http://x/p> _:b . _:b <http://x/p> <http://x/c> . "
>>> data = linked + b"<http://x/d> <http://x/p> 1 ."
>>> [len(batch) for batch in batches(data, "text/turtle", BatchLimits(max_triples=1))]
[2, 1]
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pyoxigraph import BlankNode, NamedNode, Quad, parse

from kg.formats import rdf_format


@dataclass(frozen=True)
class BatchLimits:
    """How large one update request may grow (a group of linked blank nodes may exceed it)."""

    max_triples: int = 1_000
    max_bytes: int = 4 * 1024 * 1024


class BlankNodeGroups:
    """Union-find over blank nodes: two nodes are in one group when a triple links them."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, node: str) -> str:
        """Return the representative of a node's group."""
        root = self.parent.setdefault(node, node)
        while root != self.parent[root]:
            root = self.parent[root]
        while node != root:
            node, self.parent[node] = self.parent[node], root
        return root

    def join(self, first: str, second: str) -> None:
        """Put two nodes in one group."""
        self.parent[self.find(first)] = self.find(second)


def blank_nodes(quad: Quad) -> list[str]:
    """Return the blank node ids a triple mentions."""
    return [t.value for t in (quad.subject, quad.object) if isinstance(t, BlankNode)]


def batches(data: bytes, media_type: str, limits: BatchLimits) -> Iterator[list[str]]:
    """Parse RDF and yield lists of N-Triples lines, each list one request's worth."""
    triples = list(parse(data, format=rdf_format(media_type)))
    groups = BlankNodeGroups()
    for quad in triples:
        nodes = blank_nodes(quad)
        for node in nodes[1:]:
            groups.join(nodes[0], node)
    grouped: dict[str, list[str]] = {}
    loose: list[str] = []
    for quad in triples:
        line = f"{quad.subject} {quad.predicate} {quad.object} ."
        nodes = blank_nodes(quad)
        if nodes:
            grouped.setdefault(groups.find(nodes[0]), []).append(line)
        else:
            loose.append(line)
    batch: list[str] = []
    size = 0
    for group in [*grouped.values(), *([line] for line in loose)]:
        group_size = sum(len(line) + 1 for line in group)
        if batch and (
            len(batch) + len(group) > limits.max_triples or size + group_size > limits.max_bytes
        ):
            yield batch
            batch, size = [], 0
        batch.extend(group)
        size += group_size
    if batch:
        yield batch


def insert_text(graph: str, lines: list[str]) -> str:
    """Return the update that adds these triples to a named graph."""
    body = "\n".join(lines)
    return f"INSERT {{ GRAPH {NamedNode(graph)} {{\n{body}\n}} }} WHERE {{}}"


def clear_text(graph: str) -> str:
    """Return the update that empties a named graph (and does not fail when it is absent)."""
    return f"CLEAR SILENT GRAPH {NamedNode(graph)}"
