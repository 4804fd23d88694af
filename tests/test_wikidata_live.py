"""Live mode against a real SPARQL endpoint on 127.0.0.1 standing in for Wikidata."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests
from flask.testing import FlaskClient
from pyoxigraph import RdfFormat, Store
from wikidata_standin import StandIn, serve_standin

from kg.errors import (
    BadGateway,
    BadRequest,
    DeadlineExceeded,
    Forbidden,
    QuerySyntaxError,
    ServiceUnavailable,
    TooManyRequests,
)
from kg.execution.embedded import EmbeddedBackend
from kg.pipeline import Services
from kg.settings import Settings
from kg.web import create_app
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
    return Services(
        settings, EmbeddedBackend(store, query_processes=settings.max_concurrent_queries)
    )


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


CAPITAL = (
    PROLOGUE + "\nSELECT ?c { SERVICE <https://query.wikidata.org/sparql> { wd:Q736 wdt:P36 ?c } }"
)


def client_for(settings: Settings) -> FlaskClient:
    store = Store()
    load_extract(store)
    return create_app(EmbeddedBackend(store, query_processes=1), settings).test_client()


@pytest.mark.parametrize(
    ("query", "accept"),
    [(BIRTHS, "image/png"), ("ASK { SERVICE <https://query.wikidata.org/sparql> {} }", "text/csv")],
)
def test_a_406_is_decided_before_wikidata_is_called(
    standin: StandIn, query: str, accept: str
) -> None:
    response = client_for(live(standin)).get(
        "/sparql", query_string={"query": query}, headers={"Accept": accept}
    )
    assert response.status_code == 406
    assert standin.queries == []


def test_identical_clauses_are_fetched_once(standin: StandIn) -> None:
    clause = "SERVICE <https://query.wikidata.org/sparql> { wd:Q736 wdt:P36 ?c }"
    text = PROLOGUE + f"\nSELECT ?c {{ {{ {clause} }} UNION {{ {clause} }} }}"
    assert answer(live(standin), text) == (
        "?c\n<http://www.wikidata.org/entity/Q2900>\n<http://www.wikidata.org/entity/Q2900>\n"
    )
    assert len(standin.queries) == 1


def test_more_live_clauses_than_allowed_are_refused_before_any_call(standin: StandIn) -> None:
    clauses = " ".join(
        f"SERVICE <https://query.wikidata.org/sparql> {{ wd:Q736 wdt:P36 ?c{i} }}" for i in range(3)
    )
    with pytest.raises(BadRequest, match="the limit is 2 \\(KG_LIVE_SERVICE_CLAUSES\\)"):
        answer(live(standin, live_service_clauses=2), PROLOGUE + f"\nSELECT * {{ {clauses} }}")
    assert standin.queries == []


def test_an_answer_larger_than_allowed_is_refused_or_silenced(standin: StandIn) -> None:
    with pytest.raises(BadGateway, match="more than 50 bytes \\(KG_LIVE_SERVICE_BYTES\\)"):
        answer(live(standin, live_service_bytes=50), CAPITAL)
    silent = CAPITAL.replace("SERVICE <", "SERVICE SILENT <")
    assert answer(live(standin, live_service_bytes=50), silent) == "?c\n\n"


def test_more_rows_than_allowed_are_not_put_into_the_query(standin: StandIn) -> None:
    with pytest.raises(BadGateway, match="with 2 rows; at most 1 are put into a query"):
        answer(live(standin, live_service_rows=1), BIRTHS.replace("wd:Q2900", ""))


def test_retry_after_stops_every_request_until_it_is_over(standin: StandIn) -> None:
    standin.too_many = "3600"
    shared = services(live(standin))
    with pytest.raises(TooManyRequests):
        shared.run_query(BIRTHS, lambda form: TSV).read_all()
    silent = BIRTHS.replace("SERVICE <", "SERVICE SILENT <")
    assert shared.run_query(silent, lambda form: TSV).read_all().decode().count("\t\n") == 3
    with pytest.raises(TooManyRequests) as refused:
        shared.run_query(CAPITAL, lambda form: TSV).read_all()
    assert 3590 <= int(refused.value.headers["Retry-After"]) <= 3600
    assert "no SERVICE clause is sent to it for another" in refused.value.message
    assert len(standin.queries) == 1
    shared.close()


@pytest.mark.parametrize(("delay", "trickle"), [(5.0, 0.0), (0.0, 0.3)])
def test_a_stalling_or_trickling_endpoint_is_cut_at_the_query_deadline(
    standin: StandIn, delay: float, trickle: float
) -> None:
    standin.delay, standin.trickle = delay, trickle
    settings = live(standin, wikidata_timeout=30.0, query_timeout=1.0)
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match="while Wikidata was answering"):
        answer(settings, BIRTHS.replace("SERVICE <", "SERVICE SILENT <"))
    assert time.monotonic() - started < 1.8


def test_a_live_query_holds_its_concurrency_slot_while_wikidata_answers(standin: StandIn) -> None:
    standin.delay = 2.0
    shared = services(live(standin, max_concurrent_queries=1))
    waiting = threading.Thread(target=lambda: shared.run_query(CAPITAL, lambda f: TSV).read_all())
    waiting.start()
    time.sleep(0.5)
    # A query waits for a slot within its deadline: one shorter than Wikidata's answer is 503.
    with pytest.raises(ServiceUnavailable):
        shared.run_query("ASK {}", lambda form: TSV, timeout=1.0)
    waiting.join()
    shared.close()


def test_a_live_answer_is_served_from_the_cache_only_for_its_max_age(standin: StandIn) -> None:
    client = client_for(live(standin, live_answer_max_age=1))
    first = client.get("/sparql", query_string={"query": CAPITAL}, buffered=True)
    assert first.headers["Cache-Control"] == "max-age=1"
    assert "ETag" not in first.headers
    client.get("/sparql", query_string={"query": CAPITAL}, buffered=True)
    assert len(standin.queries) == 1
    time.sleep(1.1)
    again = client.get("/sparql", query_string={"query": CAPITAL}, buffered=True)
    assert again.data == first.data
    assert len(standin.queries) == 2


def test_a_syntax_error_beside_a_live_clause_is_placed_in_the_client_s_text(
    standin: StandIn,
) -> None:
    text = CAPITAL.replace("?c } }", "?c } ?x }")
    with pytest.raises(QuerySyntaxError, match=r"^error at 4:84: expected one of BIND, FILTER"):
        answer(live(standin), text)
