"""The pages' data functions take what they need as arguments and run outside a request."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store
from test_pages_data.support import mini_store

from kg.execution.embedded import EmbeddedBackend
from kg.iris import ID_NS
from kg.pipeline import Services
from kg.settings import Settings
from kg.web import create_app
from kg.web.pages import entity_data, landing
from kg.web.pages.reader import Reader

EX = "http://example.org/"


@pytest.fixture
def twice_stated() -> Iterator[Reader]:
    """Return a reader over a triple stated in two graphs and another in one of them."""
    store = Store()
    triple = (NamedNode(EX + "s"), NamedNode(EX + "p"), Literal("o"))
    store.extend(
        [
            Quad(*triple, NamedNode(EX + "g1")),
            Quad(*triple, NamedNode(EX + "g2")),
            Quad(NamedNode(EX + "s"), NamedNode(EX + "q"), Literal("o"), NamedNode(EX + "g2")),
        ]
    )
    services = Services(Settings(), EmbeddedBackend(store, query_processes=1))
    yield Reader(services)
    services.close()


def test_the_landing_counts_distinct_triples_apart_from_statements(twice_stated: Reader) -> None:
    summary = landing.summarize(twice_stated, "en")
    assert (summary.triples, summary.statements, len(summary.graphs)) == (2, 3, 2)


def test_the_landing_page_says_what_it_counts() -> None:
    store = Store()
    store.extend(
        Quad(NamedNode(EX + "s"), NamedNode(EX + "p"), Literal("o"), NamedNode(EX + g))
        for g in ("g1", "g2")
    )
    page = create_app(EmbeddedBackend(store, query_processes=1)).test_client().get("/").text
    assert (
        "<strong>1</strong> distinct triples · <strong>2</strong> statements in "
        "<strong>2</strong> named graphs (a triple stated in two graphs counts twice)"
    ) in page


def test_an_entity_s_page_data_is_gathered_outside_a_request() -> None:
    services = Services(Settings(), EmbeddedBackend(mini_store(), query_processes=1))
    try:
        entity = entity_data.describe(Reader(services), ID_NS + "peruvian-delegation", "es")
    finally:
        services.close()
    assert entity.exists
    assert entity.labels.language == "es"
    assert entity.types
