"""Compare RDF datasets from different stores: canonical blank nodes, build time left out."""

from __future__ import annotations

from collections.abc import Iterable

from pyoxigraph import CanonicalizationAlgorithm, Dataset, NamedNode, Quad

DCTERMS_MODIFIED = NamedNode("http://purl.org/dc/terms/modified")
"""The dataset's build time, the one thing two builds of the same data differ in."""


def canonical(quads: Iterable[Quad]) -> Dataset:
    """Return the quads as a dataset with canonical blank node names, comparable with ==."""
    dataset = Dataset(quads)
    dataset.canonicalize(CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def without_build_time(quads: Iterable[Quad]) -> list[Quad]:
    """Leave out the dataset's dct:modified."""
    return [q for q in quads if q.predicate != DCTERMS_MODIFIED]
