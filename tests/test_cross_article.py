"""Questions that need two articles, answered over the shipped data plus the fictional fixture.

Both articles speak of the same shared entities (Jerí's tenure, the border), so their values
compete with each other and with the verified record through the model's statements: each
article's answer comes from its own statements, the record's from the verified ones, and a plain
query still sees one best value.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Store
from support.articles import FIXTURE, REFERENCE, data_copy

from kg import iris, vocab
from kg.graph.build import open_store
from kg.graph.validate import validate

PREFIXES = f"""
PREFIX : <{iris.ID_NS}>
PREFIX pek: <{iris.ONTOLOGY_NS}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX wikibase: <http://wikiba.se/ontology#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
# Every article schema:mentions the entities its claims name (materialised at build).
PEOPLE_IN_BOTH = (
    PREFIXES
    + """
SELECT DISTINCT ?name WHERE {
  ?article schema:mentions ?person . ?other schema:mentions ?person .
  ?article a schema:NewsArticle . ?other a schema:NewsArticle .
  FILTER(?article != ?other)
  ?person a schema:Person ; rdfs:label ?name FILTER(LANG(?name) = "en")
} ORDER BY ?name
"""
)
# Who held the office on a day, by each source's own statements: an article's claim statements
# (schema:appearance its article) or the verified record's. Starts and ends compare by their
# pek:earliest and pek:latest days, whatever the date's precision ("2022-10" counts from
# 2022-10-01), so no row drops out on a type error and no string is compared.
PRESIDENT_ON = (
    PREFIXES
    + f"""
SELECT DISTINCT ?according ?name WHERE {{
  ?office rdf:subject ?tenure ; rdf:predicate pek:office ; rdf:object :president-of-peru .
  ?holds rdf:subject ?tenure ; rdf:predicate pek:holder ; rdf:object ?holder .
  ?start rdf:subject ?tenure ; rdf:predicate schema:startDate ; pek:earliest ?from .
  OPTIONAL {{ ?office schema:appearance ?officeArticle }}
  OPTIONAL {{ ?holds schema:appearance ?holderArticle }}
  OPTIONAL {{ ?start schema:appearance ?startArticle }}
  BIND(COALESCE(?startArticle, <{iris.VERIFIED_GRAPH}>) AS ?according)
  FILTER(COALESCE(?officeArticle, <{iris.VERIFIED_GRAPH}>) = ?according)
  FILTER(COALESCE(?holderArticle, <{iris.VERIFIED_GRAPH}>) = ?according)
  OPTIONAL {{
    ?end rdf:subject ?tenure ; rdf:predicate schema:endDate ; pek:latest ?until .
    OPTIONAL {{ ?end schema:appearance ?endArticle }}
    FILTER(COALESCE(?endArticle, <{iris.VERIFIED_GRAPH}>) = ?according)
  }}
  FILTER(?from <= xsd:date(?day) && (!BOUND(?until) || ?until >= xsd:date(?day)))
  ?holder rdfs:label ?name FILTER(LANG(?name) = "en")
}} ORDER BY ?according
"""
)
# Two articles' statements of one fact (the same subject and property), the earlier article
# first (by the date each statement speaks for), with the record's best value beside them.
SAME_FACT = (
    PREFIXES
    + """
SELECT ?subject ?property ?claim ?other ?value ?otherValue ?verified WHERE {
  ?one a pek:ClaimStatement ; schema:datePublished ?published ; schema:isPartOf ?claim ;
    rdf:subject ?subject ; rdf:predicate ?property ; rdf:object ?node .
  ?two a pek:ClaimStatement ; schema:datePublished ?later ; schema:isPartOf ?other ;
    rdf:subject ?subject ; rdf:predicate ?property ; rdf:object ?otherNode .
  FILTER(?published < ?later)
  OPTIONAL { ?node schema:value ?inner }
  OPTIONAL { ?otherNode schema:value ?otherInner }
  OPTIONAL {
    ?record a pek:VerifiedStatement , wikibase:BestRank ;
      rdf:subject ?subject ; rdf:predicate ?property ; rdf:object ?recordNode .
    OPTIONAL { ?recordNode schema:value ?recordInner }
  }
  BIND(COALESCE(?inner, ?node) AS ?value)
  BIND(COALESCE(?otherInner, ?otherNode) AS ?otherValue)
  BIND(COALESCE(?recordInner, ?recordNode) AS ?verified)
} ORDER BY ?subject ?property
"""
)
PLAIN_START = (
    PREFIXES
    + """
SELECT DISTINCT ?start WHERE {
  ?tenure pek:holder :jose-jeri ; pek:office :president-of-peru ; schema:startDate ?start
}
"""
)


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, Path]:
    data = data_copy(tmp_path_factory.mktemp("both") / "data", [REFERENCE], extra=[FIXTURE])
    return open_store(data_dir=data), data


def select(store: Store, query: str, **bindings: str) -> list[tuple[str, ...]]:
    for name, value in bindings.items():
        query = query.replace(f"?{name}", f'"{value}"')
    rows = store.query(query, use_default_graph_as_union=True)
    return [
        tuple("-" if t is None else t.value.removeprefix(iris.ID_NS) for t in row) for row in rows
    ]


def test_the_fictional_article_is_valid_beside_the_shipped_one(both: tuple[Store, Path]) -> None:
    store, data = both
    assert validate(store, data_dir=data) == []


def test_the_people_both_articles_name(both: tuple[Store, Path]) -> None:
    assert select(both[0], PEOPLE_IN_BOTH) == [("Daniel Noboa",), ("José Jerí",)]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (
            "2025-06-01",
            [
                (iris.VERIFIED_GRAPH, "Dina Boluarte"),
                (f"article/{REFERENCE}", "José Jerí"),
            ],
        ),
        (
            "2025-12-01",
            [
                (iris.VERIFIED_GRAPH, "José Jerí"),
                (f"article/{REFERENCE}", "José Jerí"),
                (f"article/{FIXTURE}", "José Jerí"),
            ],
        ),
        (
            "2026-03-01",
            [
                (iris.VERIFIED_GRAPH, "José María Balcázar"),
                (f"article/{REFERENCE}", "José Jerí"),
                (f"article/{FIXTURE}", "José Jerí"),
            ],
        ),
    ],
)
def test_who_was_president_of_peru_on_a_day_by_each_article_and_the_record(
    both: tuple[Store, Path], day: str, expected: list[tuple[str, str]]
) -> None:
    assert select(both[0], PRESIDENT_ON, day=day) == expected


def test_statements_of_the_two_articles_about_one_fact_are_linked(both: tuple[Store, Path]) -> None:
    tenure, pek, schema = "tenure/jose-jeri-president-of-peru", iris.ONTOLOGY_NS, vocab.SCHEMA

    def pair(subject: str, prop: str, claim: str, other: str, *values: str) -> tuple[str, ...]:
        return (subject, prop, f"claim/{REFERENCE}/{claim}", f"claim/{FIXTURE}/{other}", *values)

    presidency = "jeri-interim-presidency"
    assert select(both[0], SAME_FACT) == [
        pair("ecuador-peru-border", f"{pek}length", "border-length", "04", "1500", "1500", "1529"),
        pair(tenure, f"{schema}startDate", presidency, "06", "2022-10", "2025-10", "2025-10-10"),
        pair(tenure, f"{pek}holder", presidency, "06", "jose-jeri", "jose-jeri", "jose-jeri"),
        pair(tenure, f"{pek}interim", presidency, "06", "true", "true", "-"),
        pair(tenure, f"{pek}office", presidency, "06", *["president-of-peru"] * 3),
    ]


def test_a_plain_query_still_sees_one_start_of_office(both: tuple[Store, Path]) -> None:
    # Each article writes its start on the shared tenure as a statement, so a holder-and-office
    # query over the default graph sees the record's day only.
    assert select(both[0], PLAIN_START) == [("2025-10-10",)]
