"""Give blank nodes labels that depend only on what they describe, so equal data reads equal.

A blank node has no name of its own: a graph reloaded, or rebuilt from the same files, labels
its blank nodes afresh, and a line-by-line diff would call every statement about them changed.
Canonicalising the whole dataset at once (RDFC-1.0) is not enough either: its labels are
numbered across the dataset, so one added blank node renumbers unrelated ones.

So the blank nodes are split into *molecules*: the statements that share blank nodes, directly
or through each other (``<claim> pek:length [ qudt:numericValue 1500 ; qudt:unit unit:KiloM ]``
is one molecule of three quads). Each molecule is canonicalised on its own with RDFC-1.0 and
its labels are prefixed with a digest of its canonical form. An unchanged molecule therefore
keeps its labels whatever else changes; a changed one is removed and added whole, which is what
a change to blank nodes means in RDF. Identical molecules are numbered so none is merged away.

>>> from pyoxigraph import BlankNode, Literal, NamedNode, Quad
>>> p, v = NamedNode("http://example.org/p"), NamedNode("http://example.org/v")
>>> first = [Quad(NamedNode("http://example.org/s"), p, b := BlankNode()), Quad(b, v, Literal("1"))]
>>> again = [Quad(NamedNode("http://example.org/s"), p, c := BlankNode()), Quad(c, v, Literal("1"))]
>>> nquads(canonical_quads(first)) == nquads(canonical_quads(again))
True
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

from pyoxigraph import BlankNode, CanonicalizationAlgorithm, Dataset, Quad

LABEL_DIGEST = 16
"""Hex digits of the molecule digest in a label: 64 bits, ample for a dataset's molecules."""


def line(quad: Quad) -> str:
    """Return a quad as one N-Quads line (with its final dot and newline)."""
    return f"{quad} .\n"


def nquads(quads: Iterable[Quad]) -> str:
    """Return quads as N-Quads text, one line each, in the order given."""
    return "".join(line(quad) for quad in quads)


def blank_nodes(quad: Quad) -> list[BlankNode]:
    """Return the blank nodes a quad mentions (subject, object, graph name)."""
    return [
        term for term in (quad.subject, quad.object, quad.graph_name) if isinstance(term, BlankNode)
    ]


def molecules(quads: Iterable[Quad]) -> tuple[list[Quad], list[list[Quad]]]:
    """Split quads into those without blank nodes and the molecules of those with them."""
    parent: dict[BlankNode, BlankNode] = {}

    def root(node: BlankNode) -> BlankNode:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    ground: list[Quad] = []
    linked: list[tuple[Quad, BlankNode]] = []
    for quad in quads:
        nodes = blank_nodes(quad)
        if not nodes:
            ground.append(quad)
            continue
        for node in nodes:
            parent.setdefault(node, node)
        for node in nodes[1:]:
            parent[root(node)] = root(nodes[0])
        linked.append((quad, nodes[0]))
    groups: dict[BlankNode, list[Quad]] = {}
    for quad, node in linked:
        groups.setdefault(root(node), []).append(quad)
    return ground, list(groups.values())


def canonical_molecule(molecule: list[Quad]) -> tuple[str, list[Quad]]:
    """Canonicalise one molecule with RDFC-1.0; return its canonical text and its quads."""
    dataset = Dataset(molecule)
    dataset.canonicalize(CanonicalizationAlgorithm.RDFC_1_0)
    quads = sorted(dataset, key=line)
    return nquads(quads), quads


def relabel(quads: list[Quad], prefix: str) -> list[Quad]:
    """Prefix every blank node label of a canonicalised molecule."""

    def term(node: object) -> object:
        return BlankNode(prefix + node.value) if isinstance(node, BlankNode) else node

    return [
        Quad(term(q.subject), q.predicate, term(q.object), term(q.graph_name))  # type: ignore[arg-type]
        for q in quads
    ]


def canonical_quads(quads: Iterable[Quad]) -> list[Quad]:
    """Return the quads with blank nodes labelled by their molecule, sorted as N-Quads lines."""
    ground, found = molecules(quads)
    result = list(dict.fromkeys(ground))
    canonical = sorted(canonical_molecule(molecule) for molecule in found)
    seen: Counter[str] = Counter()
    for text, molecule in canonical:
        digest = hashlib.sha256(text.encode()).hexdigest()[:LABEL_DIGEST]
        seen[digest] += 1
        copy = "" if seen[digest] == 1 else f"n{seen[digest]}"
        result.extend(relabel(molecule, f"b{digest}{copy}"))
    return sorted(result, key=line)
