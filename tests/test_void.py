"""The VoID and service description generated from the data at build time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pyoxigraph import NamedNode, QuerySolutions, Store
from test_pages_data.support import MINI_QUERIES, mini_store

from kg import iris
from kg.graph.void import DATASET, describe

VOID = "http://rdfs.org/ns/void#"


def one(store: Store, query: str) -> list[str]:
    """Return the first column of a query over the VoID graph, as strings."""
    result = store.query(query, default_graph=NamedNode(iris.VOID_GRAPH))
    assert isinstance(result, QuerySolutions)
    return [str(row[0].value) for row in result]


@pytest.fixture
def store() -> Store:
    return mini_store()


@pytest.mark.parametrize(
    ("predicate", "expected"),
    [
        ("triples", "65"),
        ("entities", "14"),
        ("classes", "13"),
        ("properties", "20"),
        ("distinctSubjects", "18"),
    ],
)
def test_void_dataset_sizes(store: Store, predicate: str, expected: str) -> None:
    assert one(store, f"SELECT ?n {{ <{DATASET}> <{VOID}{predicate}> ?n }}") == [expected]


def test_void_modified_is_build_time(store: Store) -> None:
    found = one(store, f"SELECT ?m {{ <{DATASET}> <http://purl.org/dc/terms/modified> ?m }}")
    assert found == ["2025-12-13T09:30:00Z"]


def test_void_class_partition_counts_entities(store: Store) -> None:
    query = (
        f"SELECT ?n {{ <{DATASET}> <{VOID}classPartition> ?p . "
        f"?p <{VOID}class> <https://schema.org/Claim> ; <{VOID}entities> ?n }}"
    )
    assert one(store, query) == ["2"]


def test_void_property_partition_counts_triples(store: Store) -> None:
    query = (
        f"SELECT ?n {{ <{DATASET}> <{VOID}propertyPartition> ?p . "
        f"?p <{VOID}property> <http://www.w3.org/2000/01/rdf-schema#label> ; <{VOID}triples> ?n }}"
    )
    assert one(store, query) == ["18"]


def test_void_subsets_are_the_named_graphs_with_sizes(store: Store) -> None:
    query = (
        f"SELECT (CONCAT(STR(?g), ' ', STR(?n)) AS ?row) {{ <{DATASET}> <{VOID}subset> ?g . "
        f"?g <{VOID}triples> ?n FILTER(isIRI(?g)) }} ORDER BY ?g"
    )
    assert one(store, query) == [
        f"{iris.GRAPH_NS}article/mini 27",
        f"{iris.GRAPH_NS}entities 10",
        f"{iris.GRAPH_NS}ontology 19",
        f"{iris.GRAPH_NS}reviews 7",
        f"{iris.ID_NS}claim/mini/delegation 1",
        f"{iris.ID_NS}claim/mini/leader 1",
    ]


def test_void_wikidata_linkset(store: Store) -> None:
    query = (
        f"SELECT ?n {{ ?l a <{VOID}Linkset> ; <{VOID}objectsTarget> <https://www.wikidata.org/> ; "
        f"<{VOID}linkPredicate> <http://www.w3.org/2002/07/owl#sameAs> ; <{VOID}triples> ?n }}"
    )
    assert one(store, query) == ["1"]


def test_void_example_queries_are_executables(store: Store) -> None:
    query = (
        "SELECT ?text { ?q a <http://www.w3.org/ns/shacl#SPARQLSelectExecutable> ; "
        "<http://www.w3.org/ns/shacl#select> ?text ; "
        '<http://www.w3.org/2000/01/rdf-schema#label> "Who led each delegation?"@en }'
    )
    expected = (MINI_QUERIES / "delegation-leaders.rq").read_text(encoding="utf-8")
    assert one(store, query) == [expected]


def test_void_service_and_dumps(store: Store) -> None:
    assert one(
        store,
        f"SELECT ?e {{ <{iris.ID_NS}service> ?p ?e FILTER(isIRI(?e)) "
        "FILTER(?p = <http://www.w3.org/ns/sparql-service-description#endpoint>) }",
    ) == [iris.BASE + "sparql"]
    dumps = one(store, f"SELECT ?d {{ <{DATASET}> <{VOID}dataDump> ?d }} ORDER BY ?d")
    assert dumps == [
        f"{iris.BASE}download/dataset.{ext}" for ext in ("jsonld", "nq", "nt", "rdf", "trig", "ttl")
    ]


def test_describe_again_replaces_the_description(store: Store) -> None:
    graph = NamedNode(iris.VOID_GRAPH)
    before = len(list(store.quads_for_pattern(None, None, None, graph)))
    describe(store, modified=datetime(2025, 12, 14, tzinfo=UTC), examples=MINI_QUERIES)
    assert len(list(store.quads_for_pattern(None, None, None, graph))) == before
    assert one(store, f"SELECT ?n {{ <{DATASET}> <{VOID}triples> ?n }}") == ["65"]
    found = one(store, f"SELECT ?m {{ <{DATASET}> <http://purl.org/dc/terms/modified> ?m }}")
    assert found == ["2025-12-14T00:00:00Z"]
