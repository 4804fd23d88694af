"""Questions that need two articles, answered over the shipped data plus the fictional fixture."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyoxigraph import Store
from support.articles import FIXTURE, REFERENCE, data_copy

from kg import iris
from kg.graph.build import open_store
from kg.graph.validate import validate

PREFIXES = f"""
PREFIX : <{iris.ID_NS}>
PREFIX pek: <{iris.ONTOLOGY_NS}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
PEOPLE_IN_BOTH = (
    PREFIXES
    + f"""
SELECT ?name WHERE {{
  {{
    SELECT ?person (COUNT(DISTINCT ?article) AS ?articles) WHERE {{
      ?claim schema:appearance ?article .
      GRAPH ?claim {{ {{ ?person ?p ?o }} UNION {{ ?s ?p ?person }} }}
    }} GROUP BY ?person
  }}
  FILTER(?articles > 1)
  GRAPH <{iris.GRAPH_NS}entities> {{ ?person a schema:Person ; rdfs:label ?name }}
  FILTER(LANG(?name) = "en")
}} ORDER BY ?name
"""
)
# Each article's start of a tenure, and the record's, is a statement (the reference article's
# wrong "2022-10" included, which a plain query no longer sees); their pek:earliest and pek:latest
# days compare with a day whatever the date's precision, so "2022-10" counts from 2022-10-01.
PRESIDENT_ON = (
    PREFIXES
    + f"""
SELECT DISTINCT ?according ?name WHERE {{
  ?start rdf:subject ?tenure ; rdf:predicate schema:startDate ; pek:earliest ?from .
  OPTIONAL {{ ?start schema:appearance ?article }}
  BIND(COALESCE(?article, <{iris.VERIFIED_GRAPH}>) AS ?according)
  ?tenure pek:office :president-of-peru ; pek:holder ?holder .
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
SAME_FACT = (
    PREFIXES
    + f"""
SELECT ?subject ?property ?claim ?other ?value ?otherValue WHERE {{
  ?one a pek:ClaimStatement ; schema:appearance ?article ; schema:isPartOf ?claim ;
    rdf:subject ?subject ; rdf:predicate ?property ; rdf:object ?node .
  ?two a pek:ClaimStatement ; schema:appearance ?otherArticle ; schema:isPartOf ?other ;
    rdf:subject ?subject ; rdf:predicate ?property ; rdf:object ?otherNode .
  FILTER(STR(?article) < STR(?otherArticle))
  GRAPH <{iris.GRAPH_NS}entities> {{ ?subject a ?type }}
  OPTIONAL {{ ?node schema:value ?inner }}
  OPTIONAL {{ ?otherNode schema:value ?otherInner }}
  BIND(COALESCE(?inner, ?node) AS ?value)
  BIND(COALESCE(?otherInner, ?otherNode) AS ?otherValue)
}} ORDER BY ?subject ?property
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
    return [tuple(term.value.removeprefix(iris.ID_NS) for term in row) for row in rows]


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
    ],
)
def test_who_was_president_of_peru_on_a_day_by_each_article_and_the_record(
    both: tuple[Store, Path], day: str, expected: list[tuple[str, str]]
) -> None:
    assert select(both[0], PRESIDENT_ON, day=day) == expected


def test_statements_of_the_two_articles_about_one_fact_are_linked(both: tuple[Store, Path]) -> None:
    assert select(both[0], SAME_FACT) == [
        (
            "ecuador-peru-border",
            f"{iris.ONTOLOGY_NS}length",
            f"claim/{REFERENCE}/border-length",
            f"claim/{FIXTURE}/04",
            "1500",
            "1500",
        )
    ]
