"""The remote back end over a real ``oxigraph serve``: loading, limits, failures and recovery."""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from pyoxigraph import (
    Dataset,
    RdfFormat,
    Store,
    parse,
)
from support.datasets import canonical, without_build_time
from support.oxigraph import OxigraphServer, kg_build_into
from support.prepared import prepared
from support.server import start_server
from wikidata_standin import serve_standin

from kg.errors import BadGateway, DeadlineExceeded, QuerySyntaxError, ServiceUnavailable
from kg.execution.base import Deadline, Outcome, PreparedQuery
from kg.execution.embedded import EmbeddedBackend
from kg.execution.remote import RemoteBackend, endpoint_urls, update_url_for
from kg.graph.build import open_store
from kg.pipeline import Services
from kg.settings import Settings

pytestmark = pytest.mark.server

JSON = "application/sparql-results+json"
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
"""A query oxigraph works on for far longer than any test waits (the product of four scans)."""


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[OxigraphServer]:
    """Start an empty oxigraph serve for one test."""
    server = OxigraphServer(tmp_path / "oxigraph").start()
    yield server
    server.stop()


@pytest.fixture
def remote(oxigraph: OxigraphServer) -> Iterator[RemoteBackend]:
    """Return a remote back end over the test's oxigraph, with two query slots."""
    backend = RemoteBackend(oxigraph.query_url, max_concurrent=2)
    yield backend
    backend.close()


def remote_dataset(server: OxigraphServer) -> Dataset:
    """Return what the oxigraph server holds, build time aside, with canonical blank nodes."""
    response = requests.get(server.url + "/store", headers={"Accept": "application/n-quads"})
    return canonical(without_build_time(parse(response.content, format=RdfFormat.N_QUADS)))


@pytest.mark.parametrize(
    ("url", "update_url", "expected"),
    [
        ("http://h:7878", None, ("http://h:7878/query", "http://h:7878/update")),
        ("http://h:7878/", None, ("http://h:7878/query", "http://h:7878/update")),
        ("http://h:7878/query", None, ("http://h:7878/query", "http://h:7878/update")),
        ("http://h:3030/ds", None, ("http://h:3030/ds/query", "http://h:3030/ds/update")),
        ("http://h:8890/sparql", None, ("http://h:8890/sparql", "http://h:8890/sparql")),
        ("http://h:8890/sparql-auth", None, ("http://h:8890/sparql-auth",) * 2),
        ("http://h/query", "http://h/write", ("http://h/query", "http://h/write")),
        ("http://h:7878/update", None, ("http://h:7878/query", "http://h:7878/update")),
        ("http://h:3030/ds/update/", None, ("http://h:3030/ds/query", "http://h:3030/ds/update")),
    ],
)
def test_endpoint_urls(url: str, update_url: str | None, expected: tuple[str, str]) -> None:
    assert endpoint_urls(url, update_url) == expected


def test_update_url_is_beside_the_query_url() -> None:
    assert update_url_for("http://h:7878/query") == "http://h:7878/update"
    assert update_url_for("http://h:7001/api") == "http://h:7001/api"


def test_build_into_is_idempotent_and_reports_progress(oxigraph: OxigraphServer) -> None:
    built = open_store()
    quads, graphs = len(built), sum(1 for _ in built.named_graphs())
    summary = re.compile(
        rf"pushed {quads} triples in {graphs} graphs to {re.escape(oxigraph.query_url)} "
        rf"through the Graph Store Protocol at {re.escape(oxigraph.url)}/store "
        rf"in [\d.]+ s \([\d,]+ triples/s\); it now holds {quads} quads in named graphs"
    )
    first = kg_build_into(oxigraph.url)
    after_first = remote_dataset(oxigraph)
    second = kg_build_into(oxigraph.query_url)
    assert summary.fullmatch(first.stdout.splitlines()[-1])
    assert summary.fullmatch(second.stdout.splitlines()[-1])
    assert f"pushing: 100%|██████████| {quads}/{quads}" in second.stderr
    expected = canonical(without_build_time(built))
    assert after_first == expected
    assert remote_dataset(oxigraph) == expected


def test_build_into_an_unreachable_store_says_so(tmp_path: Path) -> None:
    port = OxigraphServer(tmp_path).port
    with pytest.raises(RuntimeError) as failure:
        kg_build_into(f"http://127.0.0.1:{port}", "--push-attempts", "2")
    assert (
        f"retrying in 1 s: the remote store at http://127.0.0.1:{port}/store is unreachable or "
        "broke off the connection (ConnectionRefusedError)\n"
        f"Error: pushing into http://127.0.0.1:{port}/query failed: the remote store at "
        f"http://127.0.0.1:{port}/store is unreachable or broke off the connection "
        "(ConnectionRefusedError); gave up after 2 attempts over 1 s"
    ) in str(failure.value)


def test_put_graph_replaces_and_keeps_blank_nodes_whole(remote: RemoteBackend) -> None:
    graph = "http://example.org/g"
    data = b"_:a <http://example.org/p> _:b .\n_:b <http://example.org/p> _:a .\n"
    assert remote.put_graph(graph, data, "application/n-triples", replace=True) is True
    assert remote.put_graph(graph, data, "application/n-triples", replace=True) is False
    body = remote.export(graph, "application/n-quads", 5.0).read_all()
    found = list(parse(body, format=RdfFormat.N_QUADS))
    assert len(found) == 2
    assert found[0].subject == found[1].object
    assert found[0].object == found[1].subject
    assert remote.graph_names() == [graph]


def test_graph_names_are_checked_before_reaching_the_store(remote: RemoteBackend) -> None:
    with pytest.raises(Exception, match="is not a valid graph IRI"):
        remote.has_graph("http://x/a> } ; DROP ALL ; <http://x/b")


def test_queries_beyond_the_slots_get_503_until_one_closes(remote: RemoteBackend) -> None:
    # A slot is held while the store's answer is being read; 40,000 rows are more than the
    # answer written for the client can hold before someone reads it.
    remote.put_graph(
        "http://example.org/g",
        b"".join(b"<http://x/%d> <http://x/p> <http://x/o> .\n" % i for i in range(200)),
        "application/n-triples",
        replace=True,
    )
    job = (prepared("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"), JSON, Deadline.after(30.0))
    first, second = remote.query(*job), remote.query(*job)
    with pytest.raises(ServiceUnavailable) as refused:
        remote.query(*job)
    assert refused.value.headers == {"Retry-After": "1"}
    first.chunks.close()  # type: ignore[attr-defined]
    deadline = time.monotonic() + 5
    while True:
        try:
            answer = remote.query(prepared("ASK {}"), JSON, Deadline.after(30.0))
            break
        except ServiceUnavailable:
            assert time.monotonic() < deadline, "closing an answer never freed its slot"
            time.sleep(0.05)
    assert answer.read_all() == b'{"head":{},"boolean":true}'
    assert second.read_all().count(b'"a":') == 40_000


def test_a_query_past_its_deadline_is_stopped(remote: RemoteBackend) -> None:
    remote.put_graph(
        "http://example.org/g",
        b"".join(b"<http://x/%d> <http://x/p> <http://x/o> .\n" % i for i in range(200)),
        "application/n-triples",
        replace=True,
    )
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=r"did not answer within the 0\.5 s deadline"):
        remote.query(prepared(ENDLESS), JSON, Deadline.after(0.5))
    assert time.monotonic() - started < 3


def test_a_store_answering_errors_is_a_bad_gateway(oxigraph: OxigraphServer) -> None:
    backend = RemoteBackend(oxigraph.url + "/nowhere")
    with pytest.raises(
        BadGateway, match=f"the remote store at {oxigraph.url}/nowhere answered 404"
    ):
        backend.query(prepared("ASK {}"), JSON, Deadline.after(30.0))
    backend.close()


def test_the_store_going_away_is_503_and_the_app_recovers(oxigraph: OxigraphServer) -> None:
    kg_build_into(oxigraph.url)
    server = start_server("--store-url", oxigraph.query_url)
    peru = "ASK { <https://w3id.org/peru-ecuador-kg/id/peru> ?p ?o }"
    try:
        answers: list[requests.Response] = []
        asking = threading.Thread(
            target=lambda: answers.append(
                requests.get(server.sparql, params={"query": ENDLESS}, headers={"Accept": JSON})
            )
        )
        asking.start()
        time.sleep(1.0)
        oxigraph.kill()
        asking.join(timeout=10)
        during = answers[0]
        assert during.status_code == 503
        assert during.headers["Retry-After"] == "5"
        assert during.text == (
            f"503 Service unavailable: the remote store at {oxigraph.query_url} is unreachable "
            "or broke off the connection (RemoteDisconnected); retry later\n"
        )
        while_down = requests.get(server.sparql, params={"query": peru}, headers={"Accept": JSON})
        assert while_down.status_code == 503
        assert "(ConnectionRefusedError); retry later" in while_down.text
        oxigraph.start()
        back = requests.get(server.sparql, params={"query": peru}, headers={"Accept": JSON})
        assert back.status_code == 200
        assert back.json() == {"head": {}, "boolean": True}
    finally:
        server.stop()


def test_workers_share_one_remote_store(oxigraph: OxigraphServer) -> None:
    kg_build_into(oxigraph.url)
    server = start_server("--store-url", oxigraph.query_url, "--workers", "2")
    peru = "ASK { <https://w3id.org/peru-ecuador-kg/id/peru> ?p ?o }"
    try:
        answers = {
            requests.get(server.sparql, params={"query": peru}, headers={"Accept": JSON}).text
            for _ in range(20)
        }
        assert answers == {'{"head":{},"boolean":true}'}
        deadline = time.monotonic() + 10
        while sum("Booting worker" in line for line in server.output) < 2:
            assert time.monotonic() < deadline, "".join(server.output)
            time.sleep(0.1)
    finally:
        server.stop()


def test_the_row_cap_applies_over_a_remote_store(remote: RemoteBackend) -> None:
    remote.put_graph(
        "http://example.org/g",
        b"".join(b"<http://x/%d> <http://x/p> <http://x/o> .\n" % i for i in range(5)),
        "application/n-triples",
        replace=True,
    )
    services = Services(Settings(result_row_cap=2), remote)
    outcome = services.run_query("SELECT * { ?s ?p ?o }", lambda form: JSON)
    assert outcome.headers["KG-Row-Cap"] == "2"
    assert len(json.loads(outcome.read_all())["results"]["bindings"]) == 3


def test_build_into_accepts_the_update_url(oxigraph: OxigraphServer) -> None:
    done = kg_build_into(oxigraph.update_url, "--push-via", "update")
    assert f"to {oxigraph.query_url} through SPARQL Update at {oxigraph.update_url} " in done.stdout
    done = kg_build_into(oxigraph.update_url)
    assert f"through the Graph Store Protocol at {oxigraph.url}/store " in done.stdout


@pytest.fixture
def separate_default_graph(tmp_path: Path) -> Iterator[OxigraphServer]:
    """Start an oxigraph serve whose default graph is its own, loaded with the built graph."""
    server = OxigraphServer(tmp_path / "oxigraph", union=False).start()
    kg_build_into(server.url)
    yield server
    server.stop()


def test_kg_serve_refuses_a_store_whose_default_graph_is_not_the_union(
    separate_default_graph: OxigraphServer,
) -> None:
    with pytest.raises(RuntimeError) as refused:
        start_server("--store-url", separate_default_graph.query_url)
    message = str(refused.value)
    assert f"the store at {separate_default_graph.query_url} does not see the triples" in message
    assert "oxigraph serve --union-default-graph" in message
    assert "--explicit-union" in message


def test_explicit_union_serves_such_a_store_as_the_union(
    separate_default_graph: OxigraphServer,
) -> None:
    server = start_server(
        "--store-url", separate_default_graph.query_url, "--explicit-union", "--no-article"
    )
    peru = "ASK { <https://w3id.org/peru-ecuador-kg/id/peru> ?p ?o }"
    try:
        response = requests.get(server.sparql, params={"query": peru}, headers={"Accept": JSON})
        assert response.json() == {"head": {}, "boolean": True}
        page = requests.get(server.url + "/id/peru")
        assert page.status_code == 200
        assert "Perú" in page.text
    finally:
        server.stop()


class RecordingEmbedded(EmbeddedBackend):
    """An embedded back end that keeps the prepared queries it receives."""

    received: list[PreparedQuery]

    def query(self, prepared: PreparedQuery, media_type: str, deadline: Deadline) -> Outcome:
        self.received = [*getattr(self, "received", []), prepared]
        return super().query(prepared, media_type, deadline)


class RecordingRemote(RemoteBackend):
    """A remote back end that keeps the prepared queries it receives."""

    received: list[PreparedQuery]

    def query(self, prepared: PreparedQuery, media_type: str, deadline: Deadline) -> Outcome:
        self.received = [*getattr(self, "received", []), prepared]
        return super().query(prepared, media_type, deadline)


def test_both_back_ends_receive_the_same_prepared_operation() -> None:
    text = "SELECT ?c { <id/peru> ?p ?c SERVICE <https://query.wikidata.org/sparql> { ?c ?q ?r } }"
    settings = Settings(result_row_cap=10)
    embedded = RecordingEmbedded(Store(), query_processes=1)
    with serve_standin(Store()) as store_standin:
        remote = RecordingRemote(store_standin.url)
        for backend in (embedded, remote):
            Services(settings, backend).run_query(text, lambda form: JSON).read_all()
        assert embedded.received == remote.received
        [prepared] = remote.received
        assert store_standin.queries == [prepared.text]
        assert prepared.text == (
            "BASE <https://w3id.org/peru-ecuador-kg/sparql>\n"
            "SELECT ?c { <id/peru> ?p ?c GRAPH <https://w3id.org/peru-ecuador-kg/graph/wikidata>"
            " { ?c ?q ?r } }\nLIMIT 11"
        )
    embedded.close()
    remote.close()


def test_a_syntax_error_speaks_of_the_client_s_text_not_the_prepared_one(
    remote: RemoteBackend,
) -> None:
    services = Services(Settings(), remote)
    with pytest.raises(QuerySyntaxError) as refused:
        services.run_query("SELECT * WHERE { ?s ?p }", lambda form: JSON)
    assert refused.value.message == (
        "the remote store refused the request: error at 1:25: expected one of LATERAL, SERVICE, [_]"
    )
