"""The endpoint over HTTP (Flask test client): statuses, formats, datasets, errors, streaming."""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient
from pyoxigraph import Store

from kg.errors import EngineError
from kg.execution.base import Deadline, Outcome, PreparedQuery
from kg.execution.embedded import EmbeddedBackend
from kg.settings import Settings
from kg.web import create_app

NAMES = "SELECT ?name WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?name } ORDER BY ?name"
PEOPLE = "http://example.org/people"
DATA1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"


def get(client: FlaskClient, query: str, accept: str | None = None, **params: str) -> object:
    headers = {"Accept": accept} if accept else {}
    return client.get("/sparql", query_string={"query": query, **params}, headers=headers)


@pytest.mark.parametrize(
    ("accept", "content_type", "body"),
    [
        (
            None,
            "application/sparql-results+json",
            '{"head":{"vars":["name"]},"results":{"bindings":['
            '{"name":{"type":"literal","value":"Alice","xml:lang":"en"}},'
            '{"name":{"type":"literal","value":"Bob"}}]}}',
        ),
        ("text/csv", "text/csv; charset=utf-8", "name\r\nAlice\r\nBob\r\n"),
        (
            "text/tab-separated-values",
            "text/tab-separated-values; charset=utf-8",
            '?name\n"Alice"@en\n"Bob"\n',
        ),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            '<head><variable name="name"/></head><results><result><binding name="name">'
            '<literal xml:lang="en">Alice</literal></binding></result><result>'
            '<binding name="name"><literal>Bob</literal></binding></result></results></sparql>',
        ),
    ],
)
def test_select_formats(
    client: FlaskClient, accept: str | None, content_type: str, body: str
) -> None:
    response = get(client, NAMES, accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Vary"] == "Accept"
    assert response.get_data(as_text=True) == body


@pytest.mark.parametrize(
    ("accept", "content_type", "body"),
    [
        (None, "text/turtle; charset=utf-8", '<http://example.org/bob> <http://x/n> "Bob" .\n'),
        (
            "application/n-triples",
            "application/n-triples",
            '<http://example.org/bob> <http://x/n> "Bob" .\n',
        ),
        (
            "application/n-quads",
            "application/n-quads",
            '<http://example.org/bob> <http://x/n> "Bob" .\n',
        ),
        ("application/trig", "application/trig", '<http://example.org/bob> <http://x/n> "Bob" .\n'),
        (
            "application/ld+json",
            "application/ld+json",
            '[{"@id":"http://example.org/bob","http://x/n":[{"@value":"Bob"}]}]',
        ),
        (
            "application/rdf+xml",
            "application/rdf+xml",
            '<?xml version="1.0" encoding="UTF-8"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/'
            '02/22-rdf-syntax-ns#" xmlns:its="http://www.w3.org/2005/11/its">\n\t<rdf:Description rdf:about="http://example.org/bob">\n\t\t'
            '<n xmlns="http://x/">Bob</n>\n\t</rdf:Description>\n</rdf:RDF>',
        ),
    ],
)
def test_construct_formats(
    client: FlaskClient, accept: str | None, content_type: str, body: str
) -> None:
    query = (
        "CONSTRUCT { ?p <http://x/n> ?n } WHERE "
        "{ ?p <http://xmlns.com/foaf/0.1/name> ?n FILTER(?n = 'Bob') }"
    )
    response = get(client, query, accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type
    assert response.get_data(as_text=True) == body


def test_ask_is_true_in_json(client: FlaskClient) -> None:
    response = get(client, "ASK { <http://example.org/alice> ?p 42 }")
    assert response.json == {"head": {}, "boolean": True}


def test_post_form_and_direct_give_the_same_rows(client: FlaskClient) -> None:
    form = client.post("/sparql", data={"query": NAMES}, headers={"Accept": "text/csv"})
    direct = client.post(
        "/sparql",
        data=NAMES,
        headers={"Content-Type": "application/sparql-query", "Accept": "text/csv"},
    )
    assert (
        form.get_data(as_text=True) == direct.get_data(as_text=True) == "name\r\nAlice\r\nBob\r\n"
    )


def test_default_graph_is_the_union_of_all_graphs(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert get(client, query, "text/csv").get_data(as_text=True) == "n\r\n8\r\n"


def test_default_graph_uri_narrows_the_default_graph(client: FlaskClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    response = get(client, query, "text/csv", **{"default-graph-uri": DATA1})
    assert response.get_data(as_text=True) == "n\r\n1\r\n"


def test_named_graph_uri_limits_graph_patterns(client: FlaskClient) -> None:
    query = "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    response = get(client, query, "text/csv", **{"named-graph-uri": PEOPLE})
    assert response.get_data(as_text=True) == f"g\r\n{PEOPLE}\r\n"


def test_head_gives_headers_only(client: FlaskClient) -> None:
    response = client.head("/sparql?query=" + quote(NAMES), headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.get_data() == b""


@pytest.mark.parametrize(
    ("request_args", "status", "message"),
    [
        ({"method": "GET", "query_string": {"update": "CLEAR ALL"}}, 400, "must be sent by POST"),
        (
            {"method": "GET", "query_string": [("query", "ASK {}"), ("query", "ASK {}")]},
            400,
            "'query' is given 2 times",
        ),
        (
            {"method": "POST", "query_string": {"query": "ASK {}"}, "data": {"query": "ASK {}"}},
            400,
            "'query' is given both in the URL and in the body",
        ),
        ({"method": "POST", "data": "ASK {}"}, 415, "the Content-Type header is missing"),
        (
            {"method": "POST", "data": "ASK {}", "content_type": "text/plain"},
            415,
            "got text/plain",
        ),
        ({"method": "PUT", "data": "ASK {}"}, 405, "not allowed"),
        (
            {"method": "GET", "query_string": {"query": "DELETE WHERE { ?s ?p ?o }"}},
            400,
            "this is a SPARQL Update; send it by POST",
        ),
        (
            {"method": "GET", "query_string": {"query": "ASK {"}},
            400,
            "SPARQL syntax error: error at 1:6: expected one of",
        ),
        (
            {
                "method": "GET",
                "query_string": {"query": "SELECT * WHERE { ?s ?p ?o }"},
                "headers": {"Accept": "image/png"},
            },
            406,
            "this resource is available as application/sparql-results+json, "
            "application/sparql-results+xml, text/csv, text/tab-separated-values",
        ),
        (
            {"method": "POST", "data": {"update": "CLEAR ALL"}},
            403,
            "this server is read-only",
        ),
    ],
)
def test_refused_requests(
    client: FlaskClient, request_args: dict[str, object], status: int, message: str
) -> None:
    response = client.open("/sparql", **request_args)  # type: ignore[arg-type]
    assert response.status_code == status
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert message in response.get_data(as_text=True)


def test_errors_are_json_for_json_clients(client: FlaskClient) -> None:
    response = get(client, "SELECT * WHERE { ?s ?p }", "application/json")
    assert response.status_code == 400
    assert response.json is not None
    assert response.json["status"] == 400
    assert response.json["error"] == "SPARQL syntax error"
    assert response.json["message"] == "error at 1:25: expected one of LATERAL, SERVICE, [_]"


def test_service_description_for_machines(client: FlaskClient) -> None:
    response = client.get("/sparql", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/n-triples"
    described = Store()
    described.load(response.get_data(), format=__import__("pyoxigraph").RdfFormat.N_TRIPLES)
    rows = described.query(
        "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> "
        "SELECT ?endpoint ?language (COUNT(DISTINCT ?format) AS ?formats) "
        "(GROUP_CONCAT(DISTINCT STR(?graph); separator=' ') AS ?graphs) WHERE { "
        "?s a sd:Service ; sd:endpoint ?endpoint ; sd:supportedLanguage ?language ; "
        "sd:resultFormat ?format ; sd:feature sd:UnionDefaultGraph ; "
        "sd:defaultDataset/sd:namedGraph/sd:name ?graph } GROUP BY ?endpoint ?language"
    )
    [(endpoint, language, formats, graphs)] = [tuple(row) for row in rows]  # type: ignore[arg-type]
    assert endpoint.value == "http://localhost/sparql"
    assert language.value == "http://www.w3.org/ns/sparql-service-description#SPARQL11Query"
    assert formats.value == "10"
    assert sorted(graphs.value.split()) == [
        "http://example.org/people",
        "http://kasei.us/2009/09/sparql/data/data1.rdf",
        "http://kasei.us/2009/09/sparql/data/data2.rdf",
        "http://kasei.us/2009/09/sparql/data/data3.rdf",
    ]


@pytest.mark.parametrize("accept", [None, "*/*", "text/turtle"])
def test_service_description_defaults_to_turtle(client: FlaskClient, accept: str | None) -> None:
    response = client.get("/sparql", headers={"Accept": accept} if accept else {})
    assert response.headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert "<http://www.w3.org/ns/sparql-service-description#Service>" in response.get_data(
        as_text=True
    )


def test_browsers_get_the_query_page(client: FlaskClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"Accept": browser})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert response.headers["Vary"] == "Accept"


@pytest.fixture
def writable(store: Store) -> FlaskClient:
    app = create_app(EmbeddedBackend(store, writable=True), Settings(write_token="s3cret"))
    return app.test_client()


def test_update_needs_the_token(writable: FlaskClient) -> None:
    update = "INSERT DATA { <http://example.org/carol> <http://xmlns.com/foaf/0.1/name> 'Carol' }"
    anonymous = writable.post("/sparql", data={"update": update})
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"] == 'Bearer realm="peru-ecuador-kg"'
    wrong = writable.post(
        "/sparql",
        data=update,
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer nope"},
    )
    assert wrong.status_code == 403
    assert get(writable, NAMES, "text/csv").get_data(as_text=True) == "name\r\nAlice\r\nBob\r\n"
    done = writable.post(
        "/sparql",
        data=update,
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer s3cret"},
    )
    assert done.status_code == 204
    after = get(writable, NAMES, "text/csv").get_data(as_text=True)
    assert after == "name\r\nAlice\r\nBob\r\nCarol\r\n"


class StreamingBackend(EmbeddedBackend):
    """A back end whose result is a generator, to watch it being closed."""

    def __init__(self, store: Store, chunks: list[bytes], fail: Exception | None = None) -> None:
        super().__init__(store)
        self.chunks = chunks
        self.fail = fail
        self.sent: list[bytes] = []
        self.closed = False

    def query(self, prepared: PreparedQuery, media_type: str, deadline: Deadline) -> Outcome:
        def produce() -> Iterator[bytes]:
            try:
                if self.fail is not None:
                    raise self.fail
                for chunk in self.chunks:
                    self.sent.append(chunk)
                    yield chunk
            finally:
                self.closed = True

        return Outcome(media_type, produce())


def test_result_is_streamed_and_closed_when_the_client_leaves(store: Store) -> None:
    backend = StreamingBackend(store, [b"a\r\n", b"1\r\n", b"2\r\n"])
    client = create_app(backend).test_client()
    response = client.get(
        "/sparql?query=SELECT%20*%7B%7D", headers={"Accept": "text/csv"}, buffered=False
    )
    assert backend.sent == [b"a\r\n"]
    assert next(response.response) == b"a\r\n"  # type: ignore[call-overload]
    response.close()
    assert backend.closed
    assert backend.sent == [b"a\r\n"]


def test_engine_failure_is_a_logged_500_without_traceback(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    backend = StreamingBackend(store, [], fail=EngineError("storage read failed"))
    client = create_app(backend).test_client()
    response = client.get("/sparql?query=ASK%7B%7D", headers={"Accept": "application/json"})
    assert response.status_code == 500
    assert response.json == {
        "status": 500,
        "error": "Query engine error",
        "message": "storage read failed",
    }
    assert backend.closed
    assert [r.getMessage() for r in caplog.records] == ["Query engine error: storage read failed"]


def test_unexpected_failure_hides_its_details(
    store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    backend = StreamingBackend(store, [], fail=RuntimeError("secret internals"))
    client = create_app(backend).test_client()
    response = client.get("/sparql?query=ASK%7B%7D")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert body == "500 Internal error: the server failed; the error is logged\n"
    assert "Traceback" in caplog.text
    assert "secret internals" in caplog.text


def test_result_json_round_trips(client: FlaskClient) -> None:
    response = get(client, "SELECT ?age WHERE { ?p <http://xmlns.com/foaf/0.1/age> ?age }")
    assert json.loads(response.get_data())["results"]["bindings"] == [
        {
            "age": {
                "type": "literal",
                "value": "42",
                "datatype": "http://www.w3.org/2001/XMLSchema#integer",
            }
        }
    ]


ENDPOINT = "https://w3id.org/peru-ecuador-kg/sparql"
COUNT = "SELECT (COUNT(*) AS ?n) {FROM} WHERE { ?s ?p ?o }"


@pytest.mark.parametrize(
    ("dataset_clause", "count"),
    [
        ("", "8"),
        (f"FROM <{DATA1}>", "1"),
        (f"FROM <{DATA1}> FROM <{PEOPLE}>", "6"),
        (f"FROM NAMED <{PEOPLE}>", "0"),
    ],
)
def test_from_and_from_named_make_the_dataset(
    client: FlaskClient, dataset_clause: str, count: str
) -> None:
    query = COUNT.replace("{FROM}", dataset_clause)
    assert get(client, query, "text/csv").get_data(as_text=True) == f"n\r\n{count}\r\n"


def test_from_named_alone_gives_graph_patterns_only_those_graphs(client: FlaskClient) -> None:
    query = f"SELECT DISTINCT ?g FROM NAMED <{PEOPLE}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"
    assert get(client, query, "text/csv").get_data(as_text=True) == f"g\r\n{PEOPLE}\r\n"


def test_the_protocol_dataset_overrides_the_query_s_own(client: FlaskClient) -> None:
    query = COUNT.replace("{FROM}", f"FROM <{PEOPLE}>")
    response = get(client, query, "text/csv", **{"default-graph-uri": DATA1})
    assert response.get_data(as_text=True) == "n\r\n1\r\n"


@pytest.mark.parametrize("accept", ["text/csv", "text/tab-separated-values"])
def test_ask_is_not_offered_in_formats_without_a_boolean(client: FlaskClient, accept: str) -> None:
    response = get(client, "ASK {}", accept)
    assert response.status_code == 406
    assert "available as application/sparql-results+json, application/sparql-results+xml\n" in (
        response.get_data(as_text=True)
    )
    assert get(client, "ASK {}", f"{accept}, */*;q=0.1").json == {"head": {}, "boolean": True}


def test_an_unknown_function_is_the_client_s_400_with_the_engine_s_message(
    client: FlaskClient,
) -> None:
    response = get(client, "SELECT (<http://example/function>(?x) AS ?F) {}", "application/json")
    assert response.status_code == 400
    assert response.json == {
        "status": 400,
        "error": "Query refused by the engine",
        "message": "The custom function <http://example/function> is not supported",
    }


def test_deep_nesting_is_400_nested_too_deeply(client: FlaskClient) -> None:
    query = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400
    assert "nested too deeply: more than 128 levels of brackets at 1:144" in response.text


def test_a_body_over_the_limit_is_413_before_it_is_read(client: FlaskClient) -> None:
    body = b"a-" * (3 * 1024 * 1024)
    response = client.post("/sparql", data=body, content_type="application/sparql-query")
    assert response.status_code == 413
    assert "the query is 6291456 bytes long; the limit is 100000" in response.text


def test_relative_iris_resolve_against_the_endpoint_iri(client: FlaskClient) -> None:
    query = "SELECT ?x ?y WHERE { BIND(<id/x> AS ?x) BIND(IRI('y') AS ?y) }"
    assert get(client, query, "text/csv").get_data(as_text=True) == (
        "x,y\r\nhttps://w3id.org/peru-ecuador-kg/id/x,https://w3id.org/peru-ecuador-kg/y\r\n"
    )


def test_iri_of_a_relative_string_is_bound_without_a_relative_iri_token(
    client: FlaskClient,
) -> None:
    query = "SELECT ?y WHERE { BIND(IRI('y') AS ?y) }"
    assert get(client, query, "text/csv").get_data(as_text=True) == (
        "y\r\nhttps://w3id.org/peru-ecuador-kg/y\r\n"
    )


def test_no_host_header_can_put_its_answer_in_another_client_s_cache(client: FlaskClient) -> None:
    query = "SELECT ?x WHERE { BIND(<x> AS ?x) }"
    spoofed = client.get(
        "/sparql", query_string={"query": query}, headers={"Accept": "text/csv", "Host": "evil.org"}
    )
    plain = get(client, query, "text/csv")
    assert spoofed.get_data(as_text=True) == plain.get_data(as_text=True)
    assert plain.get_data(as_text=True) == "x\r\nhttps://w3id.org/peru-ecuador-kg/x\r\n"
    described = client.get("/sparql", headers={"Accept": "text/turtle", "Host": "evil.org"})
    assert "http://evil.org/sparql" in described.get_data(as_text=True)
    assert "evil.org" not in client.get("/sparql", headers={"Accept": "text/turtle"}).text


def test_an_update_with_relative_iris_resolves_them_against_the_endpoint(
    writable: FlaskClient,
) -> None:
    update = "INSERT DATA { GRAPH <http://example.org/base-test/> { <s> <p> <test> } }"
    done = writable.post(
        "/sparql",
        data=update,
        headers={"Content-Type": "application/sparql-update", "Authorization": "Bearer s3cret"},
    )
    assert done.status_code == 204, done.text
    query = "SELECT ?s ?o WHERE { GRAPH <http://example.org/base-test/> { ?s ?p ?o } }"
    assert get(writable, query, "text/csv").get_data(as_text=True) == (
        f"s,o\r\n{ENDPOINT[:-6]}s,{ENDPOINT[:-6]}test\r\n"
    )


def test_creating_a_graph_twice_is_the_client_s_400(writable: FlaskClient) -> None:
    headers = {"Content-Type": "application/sparql-update", "Authorization": "Bearer s3cret"}
    create = "CREATE GRAPH <http://example.org/twice>"
    assert writable.post("/sparql", data=create, headers=headers).status_code == 204
    again = writable.post("/sparql", data=create, headers=headers)
    assert again.status_code == 400
    assert "The graph <http://example.org/twice> already exists" in again.text
