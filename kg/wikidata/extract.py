"""The pinned Wikidata extract: where it is shipped and how it goes into a store."""

from __future__ import annotations

from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, Store

from kg.iris import WIKIDATA_GRAPH
from kg.resources import DATA_DIR

EXTRACT_PATH = DATA_DIR / "wikidata" / "extract.ttl"


def load_extract(store: Store, path: Path = EXTRACT_PATH) -> None:
    """Load the extract into its named graph, replacing what the graph held."""
    graph = NamedNode(WIKIDATA_GRAPH)
    store.remove_graph(graph)
    store.load(path=str(path), format=RdfFormat.TURTLE, to_graph=graph)
