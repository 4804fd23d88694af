"""One suite, three stores: a real ``kg serve`` over its embedded store, oxigraph and Virtuoso.

Each test runs against each and expects the same exact answers, so the remote back end is proven
to be a drop-in replacement wherever users would notice (endpoint, query answers, downloads).
"""

from __future__ import annotations

import json
import re
from collections import Counter, deque
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from flask.testing import FlaskClient
from pyoxigraph import (
    Literal,
    NamedNode,
    Quad,
    RdfFormat,
    Store,
    parse,
)
from support.datasets import DCTERMS_MODIFIED, canonical
from support.oxigraph import OxigraphServer, kg_build_into
from support.server import ServerProcess, start_server
from support.store_answers import answer_as_given, page_as_given
from support.virtuoso import VirtuosoServer
from test_pages_data.support import links_of

from kg.execution.embedded import EmbeddedBackend
from kg.graph.build import open_store
from kg.iris import GRAPH_NS, ID_NS, path_of
from kg.jsonld import CONTEXT
from kg.pipeline import Services
from kg.resources import queries_dir
from kg.settings import Settings
from kg.web import create_app

pytestmark = pytest.mark.server

QUERIES = sorted(queries_dir().glob("*.rq"))
CHECKS = sorted((queries_dir() / "checks").glob("*-violation.rq"))
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LABELS = f"SELECT ?label WHERE {{ <{ID_NS}peru> <{RDFS_LABEL}> ?label }} ORDER BY ?label"
ENTITIES = GRAPH_NS + "entities"
TSV = "text/tab-separated-values"
XSD_DATETIME = NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")

QUERY_PAGES = path_of(ID_NS + "query/")


@pytest.fixture(scope="module", params=["embedded", "oxigraph", "virtuoso"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    """Serve the built graph from the embedded store, or from a store loaded by kg build --into."""
    if request.param == "embedded":
        server = start_server()
        yield server
        server.stop()
        return
    if request.param == "virtuoso":
        virtuoso: VirtuosoServer = request.getfixturevalue("virtuoso")
        kg_build_into(virtuoso.sparql_url)
        server = start_server("--store-url", virtuoso.sparql_url)
        yield server
        server.stop()
        virtuoso.drop_all()
        return
    oxigraph = OxigraphServer(tmp_path_factory.mktemp("oxigraph")).start()
    try:
        kg_build_into(oxigraph.url)
        server = start_server(
            "--store-url", oxigraph.query_url, "--update-url", oxigraph.update_url
        )
        yield server
        server.stop()
    finally:
        oxigraph.stop()


@pytest.fixture
def store(request: pytest.FixtureRequest) -> str:
    """Return the name of the store behind this test's server."""
    name: str = request.node.callspec.params["served"]
    return name


@pytest.fixture(scope="module")
def built(served: ServerProcess) -> Store:
    """Return the graph built in this process, the reference the server must match.

    The one thing two builds may differ in is the build time (dct:modified of the dataset), so
    the reference takes the served one.
    """
    store = open_store()
    modified = DCTERMS_MODIFIED
    dataset = NamedNode(ID_NS + "dataset")
    response = ask(served, f"SELECT ?m WHERE {{ <{dataset.value}> <{modified.value}> ?m }}", TSV)
    served_time = response.text.splitlines()[1]
    for quad in list(store.quads_for_pattern(dataset, modified, None)):
        store.remove(quad)
        store.add(Quad(dataset, modified, literal_of(served_time), quad.graph_name))
    return store


def utc_as_offset(quad: Quad) -> Quad:
    """Write a UTC xsd:dateTime object with +00:00 instead of Z."""
    term = quad.object
    if isinstance(term, Literal) and term.datatype == XSD_DATETIME and term.value.endswith("Z"):
        term = Literal(term.value[:-1] + "+00:00", datatype=XSD_DATETIME)
    return Quad(quad.subject, quad.predicate, term, quad.graph_name)


def literal_of(tsv_term: str) -> Literal:
    """Parse one typed literal as a SPARQL TSV answer writes it."""
    value, _, datatype = tsv_term.partition("^^")
    return Literal(value.strip('"'), datatype=NamedNode(datatype.strip("<>")))


def ask(server: ServerProcess, query: str, accept: str) -> requests.Response:
    """Send a query by GET with an Accept header."""
    return requests.get(server.sparql, params={"query": query}, headers={"Accept": accept})


@pytest.mark.parametrize(
    ("accept", "body"),
    [
        ("text/tab-separated-values", '?label\n"Peru"@en\n"Perú"@es\n'),
        ("text/csv", "label\r\nPeru\r\nPerú\r\n"),
        (
            "application/sparql-results+json",
            '{"head":{"vars":["label"]},"results":{"bindings":['
            '{"label":{"type":"literal","value":"Peru","xml:lang":"en"}},'
            '{"label":{"type":"literal","value":"Perú","xml:lang":"es"}}]}}',
        ),
        (
            "application/sparql-results+xml",
            '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            '<head><variable name="label"/></head><results>'
            '<result><binding name="label"><literal xml:lang="en">Peru</literal></binding></result>'
            '<result><binding name="label"><literal xml:lang="es">Perú</literal></binding></result>'
            "</results></sparql>",
        ),
    ],
)
def test_select_in_each_format(served: ServerProcess, accept: str, body: str) -> None:
    response = ask(served, LABELS, accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"].partition(";")[0] == accept
    assert response.content.decode() == body


@pytest.mark.parametrize(
    ("query", "answer"),
    [
        (f"ASK {{ <{ID_NS}quito> <{RDFS_LABEL}> 'Quito'@en }}", True),
        (f"ASK {{ <{ID_NS}quito> <{RDFS_LABEL}> 'Lima'@en }}", False),
    ],
)
def test_ask(served: ServerProcess, query: str, answer: bool) -> None:
    response = ask(served, query, "application/sparql-results+json")
    assert response.status_code == 200
    assert response.json() == {"head": {}, "boolean": answer}


@pytest.mark.parametrize(
    "accept",
    ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"],
)
def test_construct_in_each_format(served: ServerProcess, accept: str) -> None:
    pattern = f"<{ID_NS}peru> <{RDFS_LABEL}> ?l"
    query = f"CONSTRUCT {{ {pattern} }} WHERE {{ {pattern} }}"
    response = ask(served, query, accept)
    assert response.status_code == 200
    assert response.headers["Content-Type"].partition(";")[0] == accept
    fmt = RdfFormat.from_media_type(accept)
    assert fmt is not None
    found = {(str(q.subject), str(q.object)) for q in parse(response.content, format=fmt)}
    assert found == {(f"<{ID_NS}peru>", '"Peru"@en'), (f"<{ID_NS}peru>", '"Perú"@es')}


def test_syntax_error_is_400_with_the_parsers_position(served: ServerProcess) -> None:
    # Every store refuses the text (Virtuoso with its own SP030); the message is read from the
    # client's own text, so it is the same whichever store is behind.
    response = ask(served, "SELECT * WHERE { ?s ?p }", "application/json")
    assert response.status_code == 400
    assert response.json()["error"] == "SPARQL syntax error"
    assert response.json()["message"].endswith(
        "error at 1:25: expected one of LATERAL, SERVICE, [_]"
    )


def test_unacceptable_format_is_406(served: ServerProcess) -> None:
    response = ask(served, LABELS, "image/png")
    assert response.status_code == 406


def test_writes_are_refused_without_a_token(served: ServerProcess) -> None:
    response = requests.post(served.sparql, data={"update": "CLEAR ALL"})
    assert response.status_code == 403
    assert "this server is read-only" in response.text


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.stem)
def test_each_query_answers_as_the_built_graph_does(
    served: ServerProcess, store: str, built: Store, query: Path
) -> None:
    # The exact answers are pinned on the reference data by test_queries; here every store
    # must give, byte for byte, what the graph built from the same files gives in process.
    text = query.read_text(encoding="utf-8")
    response = ask(served, text, TSV)
    assert response.status_code == 200
    settings = Settings()
    local = Services(settings, EmbeddedBackend(built))
    expected = local.run_query(text, lambda form: TSV).read_all()
    assert response.content == answer_as_given(store, expected, text)


@pytest.mark.parametrize("check", CHECKS, ids=lambda q: q.stem)
def test_each_violation_check_finds_nothing(served: ServerProcess, check: Path) -> None:
    response = ask(served, check.read_text(encoding="utf-8"), "text/tab-separated-values")
    assert response.content == b"?focus\t?message\n"


@pytest.mark.parametrize(
    ("extension", "media_type"), [("nq", "application/n-quads"), ("trig", "application/trig")]
)
def test_dataset_download_is_the_built_dataset(
    served: ServerProcess, built: Store, extension: str, media_type: str
) -> None:
    response = requests.get(f"{served.url}/download/dataset.{extension}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].partition(";")[0] == media_type
    fmt = RdfFormat.from_media_type(media_type)
    assert fmt is not None
    assert canonical(list(parse(response.content, format=fmt))) == canonical(list(built))


def test_jsonld_download_holds_the_same_quads(served: ServerProcess, built: Store) -> None:
    # The JSON-LD writer rewrites xsd:dateTime "...Z" as "...+00:00" (the same value in another
    # lexical form) on either back end, so dateTimes are compared in one form.
    response = requests.get(f"{served.url}/download/dataset.jsonld")
    assert response.status_code == 200
    assert json.loads(response.content)["@context"] == CONTEXT
    found = list(parse(response.content, format=RdfFormat.JSON_LD))
    assert canonical(map(utc_as_offset, found)) == canonical(map(utc_as_offset, built))


@pytest.mark.parametrize(
    ("extension", "fmt"),
    [("ttl", RdfFormat.TURTLE), ("nt", RdfFormat.N_TRIPLES), ("rdf", RdfFormat.RDF_XML)],
)
def test_graph_download_is_the_built_graph(
    served: ServerProcess, built: Store, extension: str, fmt: RdfFormat
) -> None:
    response = requests.get(f"{served.url}/download/graph.{extension}", params={"graph": ENTITIES})
    assert response.status_code == 200
    graph = NamedNode(ENTITIES)
    expected = [
        Quad(q.subject, q.predicate, q.object)
        for q in built.quads_for_pattern(None, None, None, graph)
    ]
    assert canonical(list(parse(response.content, format=fmt))) == canonical(expected)


def test_download_page_lists_every_built_graph(served: ServerProcess, built: Store) -> None:
    page = requests.get(f"{served.url}/download").text
    assert page.count("<li>") == 1 + sum(1 for _ in built.named_graphs())


def test_unknown_graph_download_is_404(served: ServerProcess) -> None:
    response = requests.get(
        f"{served.url}/download/graph.ttl", params={"graph": GRAPH_NS + "nothing"}
    )
    assert response.status_code == 404


BLANK_SUBJECT_ROW = re.compile(r'<tr><td><span class="bnode">.*?</tr>', re.DOTALL)


def html_tags(page: str) -> list[str]:
    """Return a page's tags, each with the text after it, in sorted order.

    A graph's table stops at 500 triples, named subjects first; which blank-node rows fill the
    places left depends on the labels the store gave its blank nodes, so they are left out.
    """
    return sorted(piece.strip() for piece in BLANK_SUBJECT_ROW.sub("", page).split("<"))


@pytest.fixture(scope="module")
def reference(built: Store) -> FlaskClient:
    """Return a test client of the app over the built graph in this process."""
    return create_app(EmbeddedBackend(built), Settings(), {"TESTING": True}).test_client()


# About 4,000 pages, each asked of the server and of the reference app: several minutes on two
# loaded cores, over Virtuoso most of all (its answers are parsed and written again).
@pytest.mark.timeout(1200)
def test_every_page_is_the_same_as_over_the_built_graph(
    served: ServerProcess, store: str, reference: FlaskClient
) -> None:
    # Some page lists come in store order (blank-node rows, broader classes), which differs from
    # one store or load to the next, so pages are compared as multisets of tags with their text.
    pages: dict[str, str] = {}
    seen = {"/"}
    queue = deque(["/"])
    with requests.Session() as http:
        while queue:
            path = queue.popleft()
            response = http.get(served.url + path, allow_redirects=False)
            expected = reference.get(path)
            expected.close()
            assert (path, response.status_code) == (path, expected.status_code)
            links = [response.headers.get("Location", "")]
            if response.headers["Content-Type"].partition(";")[0] == "text/html":
                page = expected.get_data(as_text=True)
                name = urlsplit(path).path.removeprefix(QUERY_PAGES)
                example = queries_dir() / f"{name}.rq"
                if path.startswith(QUERY_PAGES) and example.is_file():  # the page shows its answer
                    page = page_as_given(store, page, example.read_text(encoding="utf-8"))
                tags = Counter(html_tags(page))
                found = Counter(html_tags(response.text))
                assert (path, found - tags, tags - found) == (path, Counter(), Counter())
                pages[path] = response.text
                links = links_of(response.text)
            for link in filter(None, links):
                parts = urlsplit(urljoin(path, link))
                local = parts.path + ("?" + parts.query if parts.query else "")
                if not (parts.scheme or parts.netloc) and local not in seen:
                    seen.add(local)
                    queue.append(local)
    assert {"/", "/id/jose-jeri", "/graph/verified", "/ontology"} <= set(pages)
