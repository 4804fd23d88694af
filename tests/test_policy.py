"""Policy settles SERVICE clauses on the text: which endpoints are Wikidata, how pinned works."""

from __future__ import annotations

import pytest
from pyoxigraph import Store

from kg.egress import EgressRules, Target, normalise_endpoint
from kg.errors import BadRequest, Forbidden, PayloadTooLarge
from kg.execution.base import Dataset
from kg.execution.embedded import EmbeddedBackend
from kg.iris import WIKIDATA_GRAPH
from kg.pipeline import Services
from kg.prepare import Preparer
from kg.settings import Settings
from kg.wikidata.extract import load_extract

TSV = "text/tab-separated-values"
BASE = "BASE <https://w3id.org/peru-ecuador-kg/sparql>\n"
WD = "PREFIX wd: <http://www.wikidata.org/entity/> PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n"
CAPITAL = WD + "SELECT ?capital { SERVICE <%s> { wd:Q736 wdt:P36 ?capital } }"


def run(text: str, dataset: Dataset | None = None) -> str:
    store = Store()
    load_extract(store)
    settings = Settings()
    services = Services(settings, EmbeddedBackend(store))
    return services.run_query(text, lambda form: TSV, dataset).read_all().decode()


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://query.wikidata.org/sparql",
        "https://query.wikidata.org/sparql/",
        "HTTPS://QUERY.WIKIDATA.ORG/sparql",
        "http://query.wikidata.org/sparql",
        "https://query.wikidata.org:443/sparql",
        "https://query.wikidata.org./sparql",
        "https://query.wikidata.org/bigdata/namespace/wdq/sparql",
        "https://query.wikidata.org/bigdata/namespace/wdq/./sparql",
        r"https://query.wikidata.org/sp\u0061rql",
        "https://query.wikidata.org/sp%61rql",
    ],
)
def test_spellings_of_the_wikidata_endpoint_are_answered_from_the_extract(endpoint: str) -> None:
    assert run(CAPITAL % endpoint) == "?capital\n<http://www.wikidata.org/entity/Q2900>\n"


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://query.wikidata.org/SPARQL",
        "https://query.wikidata.org/sparql?format=json",
        "https://query.wikidata.org:8443/sparql",
        "https://query.wikidata.org.example.net/sparql",
        "https://user@query.wikidata.org/sparql",
        "https://www.wikidata.org/sparql",
    ],
)
def test_lookalikes_of_the_wikidata_endpoint_are_refused(endpoint: str) -> None:
    with pytest.raises(Forbidden, match="is refused"):
        run(CAPITAL % endpoint)


def test_a_prefixed_wikidata_endpoint_is_recognised() -> None:
    text = "PREFIX wdqs: <https://query.wikidata.org/>\n" + CAPITAL.replace("<%s>", "wdqs:sparql")
    assert run(text) == "?capital\n<http://www.wikidata.org/entity/Q2900>\n"


def test_pinned_rewrite_keeps_the_group_and_silent_clauses() -> None:
    text = "SELECT * { SERVICE SILENT <https://query.wikidata.org/sparql> { ?s ?p 1 } } LIMIT 1"
    prepared = Preparer(Settings()).query(text)
    assert prepared.text == f"{BASE}SELECT * {{ GRAPH <{WIKIDATA_GRAPH}> {{ ?s ?p 1 }} }} LIMIT 1"
    assert prepared.dataset == Dataset()


def test_a_query_naming_its_dataset_still_sees_the_extract() -> None:
    text = (CAPITAL % "https://query.wikidata.org/sparql").replace(
        "SELECT ?capital", "SELECT ?capital FROM <http://example.org/other>"
    )
    prepared = Preparer(Settings()).query(text)
    assert prepared.dataset == Dataset(("http://example.org/other",), (WIKIDATA_GRAPH,))
    expected = "?capital\n<http://www.wikidata.org/entity/Q2900>\n"
    assert run(text) == expected
    assert run(text, Dataset(default_graphs=("http://example.org/other",))) == expected


def test_a_protocol_dataset_gains_the_extract_as_a_named_graph() -> None:
    preparer = Preparer(Settings())
    text = CAPITAL % "https://query.wikidata.org/sparql"
    assert preparer.query(text, Dataset(("http://x/g",), ("http://x/n",))).dataset == Dataset(
        ("http://x/g",), ("http://x/n", WIKIDATA_GRAPH)
    )
    assert preparer.query(text).dataset == Dataset()


def test_a_query_without_service_only_gets_the_base_and_the_cap() -> None:
    prepared = Preparer(Settings()).query("SELECT * { ?s ?p ?o }")
    assert (prepared.text, prepared.form, prepared.dataset) == (
        f"{BASE}SELECT * {{ ?s ?p ?o }}\nLIMIT 1000001",
        "SELECT",
        Dataset(),
    )


def test_the_label_service_is_explained_in_pinned_mode() -> None:
    text = (
        "PREFIX wikibase: <http://wikiba.se/ontology#> SELECT * { SERVICE "
        "<https://query.wikidata.org/sparql> { ?s ?p ?o SERVICE wikibase:label { } } }"
    )
    with pytest.raises(Forbidden, match=r"rdfs:label with FILTER\(LANG"):
        Preparer(Settings()).query(text)


def test_service_with_a_variable_is_refused_even_when_everything_is_allow_listed() -> None:
    settings = Settings(service_allow=("http://example.org/sparql",))
    with pytest.raises(Forbidden, match="variable"):
        Preparer(settings).query("SELECT * { SERVICE ?e { ?s ?p ?o } }")


def test_clauses_inside_an_allow_listed_service_are_that_endpoints_business() -> None:
    settings = Settings(service_allow=("http://example.org/sparql",))
    text = (
        "SELECT * { SERVICE <http://example.org/sparql> "
        "{ SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } } }"
    )
    assert Preparer(settings).query(text + " LIMIT 5").text == f"{BASE}{text} LIMIT 5"


def test_an_allow_listed_load_passes() -> None:
    settings = Settings(service_allow=("http://example.org/data.ttl",))
    assert Preparer(settings).update("LOAD <http://example.org/data.ttl>").text == (
        f"{BASE}LOAD <http://example.org/data.ttl>"
    )


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("INSERT DATA { <http://x/a> <http://x/b> 1 }", BadRequest, "SPARQL Update"),
        ("HELLO", BadRequest, "not a SPARQL query"),
        ("SELECT * { SERVICE <http://x/> }", Exception, "SERVICE must name"),
        ("SELECT * { SERVICE undeclared:x { } }", Exception, "undeclared: is used"),
    ],
)
def test_bad_texts_are_refused_with_a_reason(
    text: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        Preparer(Settings()).query(text)


def test_over_long_text_is_refused_on_its_bytes() -> None:
    with pytest.raises(PayloadTooLarge, match="the query is 21 bytes long; the limit is 20"):
        Preparer(Settings(max_query_length=20)).query("SELECT * { ?s ?p 'éé' }"[:19] + "}")
    with pytest.raises(PayloadTooLarge, match="limit is 20"):
        Preparer(Settings(max_query_length=20)).query("SELECT * { ?s ?p ?o . }")


def test_the_configured_endpoint_counts_as_wikidata() -> None:
    rules = EgressRules(Settings(wikidata_endpoint="http://127.0.0.1:9999/wd/sparql"))
    assert rules.classify_service("http://127.0.0.1:9999/wd/sparql/") is Target.WIKIDATA


def test_normalise_endpoint_keeps_what_changes_the_resource() -> None:
    assert normalise_endpoint("http://[::1]:80/a/b/../c/") == "http://[::1]/a/c"
    assert normalise_endpoint("https://h/x?q=%41") == "https://h/x?q=A"
    assert normalise_endpoint("urn:x:y") == "urn:x:y"
