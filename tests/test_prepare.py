"""The one preparation step: what text the engine runs, over which dataset, read only once."""

from __future__ import annotations

import pytest
from pyoxigraph import Store

from kg import sparql_text
from kg.errors import BadRequest, QuerySyntaxError
from kg.execution.base import Dataset, Deadline, Outcome, PreparedQuery
from kg.execution.embedded import EmbeddedBackend
from kg.iris import ENDPOINT, WIKIDATA_GRAPH
from kg.pipeline import Services
from kg.prepare import Preparer
from kg.settings import Settings
from kg.sparql_text import NestedTooDeeply

BASE = f"BASE <{ENDPOINT}>\n"
WIKIDATA = "https://query.wikidata.org/sparql"


def prepare(text: str, dataset: Dataset | None = None, **settings: object) -> PreparedQuery:
    return Preparer(Settings(**settings)).query(text, dataset)  # type: ignore[arg-type]


def test_the_prepared_text_of_a_relative_iri_a_pinned_service_and_no_limit() -> None:
    text = f"SELECT ?c {{ <id/quito> ?p ?c SERVICE <{WIKIDATA}> {{ ?c ?q ?r }} }}"
    prepared = prepare(text, result_row_cap=100)
    assert prepared.text == (
        f"{BASE}SELECT ?c {{ <id/quito> ?p ?c GRAPH <{WIKIDATA_GRAPH}> {{ ?c ?q ?r }} }}\nLIMIT 101"
    )
    assert (prepared.original, prepared.form, prepared.row_cap) == (text, "SELECT", 100)
    assert prepared.dataset == Dataset()


class Recording(EmbeddedBackend):
    """An embedded back end that remembers the prepared operations it is given."""

    def __init__(self) -> None:
        super().__init__(Store(), query_processes=1)
        self.received: list[PreparedQuery] = []

    def query(self, prepared: PreparedQuery, media_type: str, deadline: Deadline) -> Outcome:
        self.received.append(prepared)
        return super().query(prepared, media_type, deadline)


def test_a_get_query_is_tokenised_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    tokenize = sparql_text.tokenize
    monkeypatch.setattr(sparql_text, "tokenize", lambda text: calls.append(text) or tokenize(text))
    backend = Recording()
    try:
        from kg.web import create_app

        client = create_app(backend, Settings(response_cache_mb=0)).test_client()
        text = f"SELECT * {{ <x> ?p ?o SERVICE <{WIKIDATA}> {{ ?o ?q ?r }} }}"
        response = client.get("/sparql", query_string={"query": text})
        assert response.status_code == 200
        assert calls == [text]
        assert backend.received[0].text.startswith(BASE)
    finally:
        backend.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT * { ?s ?p ?o }\nLIMIT 11"),
        ("SELECT * { ?s ?p ?o } LIMIT 10", "SELECT * { ?s ?p ?o } LIMIT 10"),
        ("SELECT * { ?s ?p ?o } limit 500 OFFSET 2", "SELECT * { ?s ?p ?o } limit 11 OFFSET 2"),
        (
            "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 3 } } # end",
            "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 3 } } # end\nLIMIT 11",
        ),
        ("SELECT ?x { } VALUES ?x { 1 2 }", "SELECT ?x { } \nLIMIT 11\nVALUES ?x { 1 2 }"),
        ("ASK { ?s ?p ?o }", "ASK { ?s ?p ?o }"),
        ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"),
        ("SELECT * { ?s ?p ?o ", "SELECT * { ?s ?p ?o "),
    ],
)
def test_the_row_cap(text: str, expected: str) -> None:
    prepared = prepare(text, result_row_cap=10)
    assert prepared.text == BASE + expected
    assert prepared.row_cap == (10 if "11" in expected else None)


def test_a_text_opening_with_its_own_absolute_base_keeps_it_alone() -> None:
    text = "BASE <http://example.org/> ASK { <x> ?p ?o }"
    assert prepare(text).text == text
    relative = "BASE <sub/> ASK { <x> ?p ?o }"
    assert prepare(relative).text == BASE + relative


@pytest.mark.parametrize(
    ("text", "given", "expected"),
    [
        ("SELECT * { ?s ?p ?o }", Dataset(), Dataset()),
        ("SELECT * FROM <http://x/g> { ?s ?p ?o }", Dataset(), Dataset(("http://x/g",))),
        ("SELECT * FROM NAMED <http://x/n> { ?s ?p ?o }", Dataset(), Dataset((), ("http://x/n",))),
        (
            "BASE <http://x/> SELECT * FROM <g> FROM NAMED <n> FROM <h> { ?s ?p ?o }",
            Dataset(),
            Dataset(("http://x/g", "http://x/h"), ("http://x/n",)),
        ),
        (
            "PREFIX g: <http://x/> SELECT * FROM g:a { ?s ?p ?o }",
            Dataset(),
            Dataset(("http://x/a",)),
        ),
        ("SELECT * FROM <data-g1.ttl> { }", Dataset(), Dataset((ENDPOINT[:-6] + "data-g1.ttl",))),
        (
            "SELECT * FROM <http://x/g> { ?s ?p ?o }",
            Dataset((), ("http://y/n",)),
            Dataset((), ("http://y/n",)),
        ),
        ("SELECT * { { SELECT * { ?s ?p ?o } } }", Dataset(), Dataset()),
    ],
)
def test_the_dataset_is_the_protocol_s_else_the_query_s_else_the_union(
    text: str, given: Dataset, expected: Dataset
) -> None:
    assert prepare(text, given).dataset == expected


def test_an_update_gets_the_base_and_the_protocol_s_using() -> None:
    preparer = Preparer(Settings())
    update = "INSERT DATA { <s> <p> <o> }"
    assert preparer.update(update).text == BASE + update
    modify = "DELETE { ?s ?p ?o } WHERE { ?s ?p ?o } ; DELETE WHERE { ?a ?b ?c }"
    prepared = preparer.update(modify, Dataset(("http://x/g",), ("http://x/n",)))
    assert prepared.text == BASE + (
        "DELETE { ?s ?p ?o } USING <http://x/g> USING NAMED <http://x/n> WHERE { ?s ?p ?o } ; "
        "DELETE WHERE { ?a ?b ?c }"
    )


@pytest.mark.parametrize(
    ("text", "clause"),
    [
        ("WITH <http://x/a> DELETE { ?p ?q 'Bill' } WHERE { ?p ?q ?o }", "WITH"),
        ("DELETE { ?s ?p ?o } USING <http://x/> WHERE { ?s ?p ?o }", "USING"),
    ],
)
def test_a_dataset_named_twice_is_refused(text: str, clause: str) -> None:
    with pytest.raises(BadRequest, match=f"has a {clause} clause and the request also gives"):
        Preparer(Settings()).update(text, Dataset(("http://x/g",)))


def test_engine_positions_are_mapped_back_to_the_client_s_text() -> None:
    text = f"SELECT * {{\n  SERVICE <{WIKIDATA}> {{ ?s ?p }} ?x }}"
    prepared = prepare(text)
    final = prepared.text.splitlines()[2]
    assert final.startswith(f"  GRAPH <{WIKIDATA_GRAPH}> {{ ?s ?p }}")
    written = text.splitlines()[1].index("}") + 1
    assert prepared.explain(f"error at 3:{final.index('}') + 1}: expected x") == (
        f"error at 2:{written}: expected x"
    )
    assert prepared.explain("error at 1:3: in the base line") == "error at 1:1: in the base line"


def test_five_thousand_nested_braces_are_refused_before_the_engine_sees_them() -> None:
    with pytest.raises(NestedTooDeeply, match="nested too deeply") as refused:
        prepare("SELECT * WHERE " + "{" * 5000 + "}" * 5000)
    assert refused.value.status == 400
    assert prepare("SELECT * WHERE " + "{" * 100 + "}" * 100).form == "SELECT"


def test_the_original_text_is_what_a_syntax_error_speaks_of() -> None:
    services = Services(Settings(), EmbeddedBackend(Store(), query_processes=1))
    try:
        with pytest.raises(QuerySyntaxError, match=r"^error at 1:25: expected one of LATERAL"):
            services.run_query("SELECT * WHERE { ?s ?p }", lambda _form: "text/csv")
    finally:
        services.close()
