"""No SERVICE or LOAD reaches an endpoint that is not allow-listed: the listener sees nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyoxigraph import Store
from wikidata_standin import Listener, listen

from kg.errors import EngineError, Forbidden
from kg.execution.embedded import EmbeddedBackend
from kg.pipeline import Services
from kg.settings import Settings
from kg.wikidata.extract import load_extract

TSV = "text/tab-separated-values"


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listen() as found:
        yield found


def services(settings: Settings | None = None) -> Services:
    settings = settings or Settings()
    store = Store()
    load_extract(store)
    return Services(settings, EmbeddedBackend(store, writable=True))


HIDDEN = {
    "plain": "SELECT * { SERVICE <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "keyword case": "select * { SeRvIcE <HTTP://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "silent": "SELECT * { SERVICE SILENT <http://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "escaped scheme": r"SELECT * { SERVICE <\u0068ttp://127.0.0.1:{port}/sparql> { ?s ?p ?o } }",
    "escaped path": r"SELECT * { SERVICE <http://127.0.0.1:{port}/sp\U00000061rql> { ?s ?p ?o } }",
    "trailing slash": "SELECT * { SERVICE <http://127.0.0.1:{port}/sparql/> { ?s ?p ?o } }",
    "prefixed name": "PREFIX x: <http://127.0.0.1:{port}/> SELECT * { SERVICE x:sparql {} }",
    "empty prefix": "PREFIX : <http://127.0.0.1:{port}/sparql> SELECT * { SERVICE : { ?s ?p ?o } }",
    "relative to BASE": "BASE <http://127.0.0.1:{port}/> SELECT * { SERVICE <sparql> {} }",
    "localhost": "SELECT * { SERVICE <http://localhost:{port}/sparql> { ?s ?p ?o } }",
    "variable": "SELECT * { VALUES ?e { <http://127.0.0.1:{port}/> } SERVICE ?e { ?s ?p ?o } }",
    "subquery": "SELECT * { { SELECT ?s { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } } }",
    "optional": "SELECT * { ?a ?b ?c OPTIONAL { SERVICE <http://127.0.0.1:{port}/> {} } }",
    "exists": "ASK { FILTER EXISTS { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }",
    "userinfo lookalike": "ASK { SERVICE <http://query.wikidata.org@127.0.0.1:{port}/sparql> {} }",
    "inside pinned Wikidata": (
        "SELECT * { SERVICE <https://query.wikidata.org/sparql> "
        "{ SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } } }"
    ),
    "after a comment": "SELECT * {\n# SERVICE <https://query.wikidata.org/sparql> {\n"
    "SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
}


@pytest.mark.parametrize("template", HIDDEN.values(), ids=HIDDEN.keys())
def test_service_not_allowed_is_refused_before_any_connection(
    listener: Listener, template: str
) -> None:
    text = template.replace("{port}", str(listener.port))
    with pytest.raises(Forbidden, match="refused"):
        services().run_query(text, lambda form: TSV)
    assert listener.connections == 0


@pytest.mark.parametrize(
    "template",
    [
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:{port}/> { ?s ?p ?o } }",
        "LOAD <http://127.0.0.1:{port}/data.ttl>",
        "LOAD SILENT <HTTP://LOCALHOST:{port}/data.ttl> INTO GRAPH <http://x/g>",
        "PREFIX a: <http://x/> INSERT DATA { a:s a:p 1 } ;\n"
        "PREFIX h: <http://127.0.0.1:{port}/> LOAD h:data.ttl",
    ],
)
def test_update_not_allowed_is_refused_before_any_connection(
    listener: Listener, template: str
) -> None:
    text = template.replace("{port}", str(listener.port))
    with pytest.raises(Forbidden, match="refused"):
        services().run_update(text)
    assert listener.connections == 0


def test_the_listener_does_see_the_engine_connect_without_policy(listener: Listener) -> None:
    store = Store()
    text = f"SELECT * {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p ?o }} }}"
    with pytest.raises(OSError):
        list(store.query(text))  # type: ignore[arg-type]
    assert listener.connections == 1


def test_an_allow_listed_endpoint_is_reached(listener: Listener) -> None:
    endpoint = f"http://127.0.0.1:{listener.port}/sparql"
    settings = Settings(service_allow=(endpoint,))
    with pytest.raises(EngineError):
        services(settings).run_query(
            f"SELECT * {{ SERVICE <{endpoint}/> {{ ?s ?p ?o }} }}", lambda form: TSV
        )
    assert listener.connections == 1


def test_allow_listing_another_port_of_the_same_host_does_not_allow_this_one(
    listener: Listener,
) -> None:
    settings = Settings(service_allow=(f"http://127.0.0.1:{listener.port + 1}/sparql",))
    with pytest.raises(Forbidden):
        services(settings).run_query(
            f"SELECT * {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> {{ }} }}",
            lambda form: TSV,
        )
    assert listener.connections == 0


@pytest.mark.parametrize(
    ("endpoint", "reason"),
    [
        ("http://10.1.2.3/sparql", "10.1.2.3 is a private address"),
        ("http://192.168.0.7:3030/ds", "192.168.0.7 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]:8080/sparql", "::1 is a loopback address"),
        ("http://0.0.0.0/sparql", "0.0.0.0 is a private address"),
    ],
)
def test_private_addresses_are_named_in_the_refusal(endpoint: str, reason: str) -> None:
    with pytest.raises(Forbidden) as refused:
        services().run_query(f"SELECT * {{ SERVICE <{endpoint}> {{ }} }}", lambda form: TSV)
    assert f"SERVICE <{endpoint}> is refused ({reason})" in refused.value.message
    assert "KG_SERVICE_ALLOW" in refused.value.message


def test_an_unreadable_text_is_refused_not_evaluated(listener: Listener) -> None:
    text = f'SELECT * {{ SERVICE <http://127.0.0.1:{listener.port}/> {{ ?s ?p "oops }} }}'
    with pytest.raises(Exception, match="unterminated"):
        services().run_query(text, lambda form: TSV)
    assert listener.connections == 0
