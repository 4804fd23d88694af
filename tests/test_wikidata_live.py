"""Live mode against a real SPARQL endpoint on 127.0.0.1 standing in for Wikidata."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from pyoxigraph import RdfFormat, Store
from wikidata_standin import StandIn, serve_standin

from kg.errors import DeadlineExceeded, Forbidden, TooManyRequests
from kg.execution.embedded import EmbeddedBackend
from kg.pipeline import Services
from kg.settings import Settings
from kg.wikidata.extract import EXTRACT_PATH, load_extract

TSV = "text/tab-separated-values"
PROLOGUE = (
    "PREFIX wd: <http://www.wikidata.org/entity/>\n"
    "PREFIX wdt: <http://www.wikidata.org/prop/direct/>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>"
)
BIRTHS = (
    PROLOGUE
    + """
SELECT ?person ?born WHERE {
  VALUES ?person { wd:Q112075625 wd:Q106474688 wd:Q2900 }
  OPTIONAL { SERVICE <https://query.wikidata.org/sparql> { ?person wdt:P569 ?born } }
} ORDER BY ?person"""
)


@pytest.fixture
def standin() -> Iterator[StandIn]:
    store = Store()
    store.load(path=str(EXTRACT_PATH), format=RdfFormat.TURTLE)
    with serve_standin(store) as app:
        yield app


def services(settings: Settings) -> Services:
    store = Store()
    load_extract(store)
    return Services(settings, EmbeddedBackend(store))


def live(standin: StandIn, **changes: object) -> Settings:
    return Settings(
        wikidata_mode="live",
        wikidata_endpoint=standin.url,
        user_agent_contact="mailto:ops@example.org",
        **changes,  # type: ignore[arg-type]
    )


def answer(settings: Settings, text: str) -> str:
    return services(settings).run_query(text, lambda form: TSV).read_all().decode()


def test_live_and_pinned_give_the_same_rows(standin: StandIn) -> None:
    pinned = answer(Settings(), BIRTHS)
    assert pinned == (
        "?person\t?born\n"
        '<http://www.wikidata.org/entity/Q106474688>\t"1962-05-31T00:00:00Z"'
        "^^<http://www.w3.org/2001/XMLSchema#dateTime>\n"
        '<http://www.wikidata.org/entity/Q112075625>\t"1987-11-30T00:00:00Z"'
        "^^<http://www.w3.org/2001/XMLSchema#dateTime>\n"
        "<http://www.wikidata.org/entity/Q2900>\t\n"
    )
    assert answer(live(standin), BIRTHS) == pinned


def test_live_sends_the_pattern_alone_with_the_prologue_and_a_descriptive_user_agent(
    standin: StandIn,
) -> None:
    answer(live(standin), BIRTHS)
    assert standin.queries == [PROLOGUE + "\nSELECT * WHERE { ?person wdt:P569 ?born }"]
    agent = standin.requests[0]["User-Agent"]
    assert agent == (
        f"peru-ecuador-kg/0.1.0 (mailto:ops@example.org) python-requests/{requests.__version__}"
    )
    assert standin.requests[0]["Accept"] == "application/sparql-results+json"


def test_labels_keep_their_language_tags_in_live_mode(standin: StandIn) -> None:
    text = PROLOGUE + (
        "\nSELECT ?label { SERVICE <https://query.wikidata.org/sparql> "
        "{ wd:Q419 rdfs:label ?label } } ORDER BY ?label"
    )
    assert answer(live(standin), text) == '?label\n"Peru"@en\n"Perú"@es\n'


def test_a_slow_endpoint_is_cut_off_at_the_timeout(standin: StandIn) -> None:
    standin.delay = 1.0
    with pytest.raises(DeadlineExceeded, match=r"did not answer within 0\.2 s"):
        answer(live(standin, wikidata_timeout=0.2), BIRTHS)


def test_a_slow_endpoint_under_silent_gives_one_empty_solution(standin: StandIn) -> None:
    standin.delay = 1.0
    text = BIRTHS.replace("SERVICE <", "SERVICE SILENT <")
    assert answer(live(standin, wikidata_timeout=0.2), text) == (
        "?person\t?born\n"
        "<http://www.wikidata.org/entity/Q106474688>\t\n"
        "<http://www.wikidata.org/entity/Q112075625>\t\n"
        "<http://www.wikidata.org/entity/Q2900>\t\n"
    )


def test_rate_limiting_is_passed_on_with_retry_after(standin: StandIn) -> None:
    standin.too_many = "120"
    with pytest.raises(TooManyRequests) as refused:
        answer(live(standin), BIRTHS)
    assert refused.value.status == 429
    assert refused.value.headers == {"Retry-After": "120"}
    assert refused.value.message == (
        f"Wikidata ({standin.url}) is rate-limiting this server (HTTP 429); retry after 120 s, "
        "or use pinned mode, which answers from the extract without calling Wikidata"
    )


def test_nothing_is_sent_to_wikidata_when_another_clause_is_refused(standin: StandIn) -> None:
    text = BIRTHS.replace("ORDER BY", "SERVICE <http://10.0.0.1/sparql> { } ORDER BY")
    with pytest.raises(Forbidden):
        answer(live(standin), text)
    assert standin.queries == []


def test_clauses_nested_in_a_live_clause_are_sent_to_wikidata(standin: StandIn) -> None:
    nested = f"SERVICE <{standin.url}> {{ wd:Q736 wdt:P36 ?c }}"
    text = (
        PROLOGUE + f"\nSELECT ?c {{ SERVICE <https://query.wikidata.org/sparql> {{ {nested} }} }}"
    )
    assert answer(live(standin), text) == "?c\n<http://www.wikidata.org/entity/Q2900>\n"
    assert standin.queries[0] == PROLOGUE + f"\nSELECT * WHERE {{ {nested} }}"
    assert len(standin.queries) == 2
