"""The Graph Store Protocol at /store: the W3C manifest cases, then our own status-code table.

The W3C cases come from the SPARQL 1.1 test suite (graph-store-protocol/manifest-indirect.ttl,
copied into tests/data/w3c-gsp); each test is a sequence of requests on one connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pyoxigraph import Store
from rdflib import Graph
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import Namespace

from kg.execution.embedded import EmbeddedBackend
from kg.settings import Settings
from kg.web import create_app

MANIFEST = Path(__file__).parent / "data" / "w3c-gsp" / "manifest-indirect.ttl"
HT = Namespace("http://www.w3.org/2011/http#")
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
CNT = Namespace("http://www.w3.org/2011/content#")
STATUS = {"OK": 200, "Created": 201, "NoContent": 204, "NotFound": 404}
TOKEN = "s3cret-token"
WRITER = {"Authorization": f"Bearer {TOKEN}"}


@dataclass(frozen=True)
class Step:
    """One request of a W3C test and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: str | None
    statuses: frozenset[int]
    response_type: str | None
    response_body: str | None
    location_variable: str | None


def items(manifest: Graph, node: object) -> list[object]:
    """Return the members of an RDF list."""
    return list(Collection(manifest, node))  # type: ignore[arg-type]


def headers_of(manifest: Graph, node: object) -> dict[str, str]:
    """Return an ht:headers list as a dict."""
    found = manifest.value(node, HT.headers)  # type: ignore[arg-type]
    if found is None:
        return {}
    return {
        str(manifest.value(h, HT.fieldName)): str(manifest.value(h, HT.fieldValue))  # type: ignore[arg-type]
        for h in items(manifest, found)
    }


def chars(manifest: Graph, node: object) -> str | None:
    """Return the text of an ht:body, if any."""
    body = manifest.value(node, HT.body)  # type: ignore[arg-type]
    return None if body is None else str(manifest.value(body, CNT.chars))


def load_cases() -> list[tuple[str, list[Step]]]:
    """Read every test of the manifest as a list of steps."""
    manifest = Graph().parse(MANIFEST, format="turtle")
    [root] = manifest.subjects(MF.entries, None)
    cases = []
    for entry in items(manifest, manifest.value(root, MF.entries)):
        action = manifest.value(entry, MF.action)  # type: ignore[arg-type]
        steps = []
        for req in items(manifest, manifest.value(action, HT.requests)):
            resp = manifest.value(req, HT.resp)  # type: ignore[arg-type]
            statuses = frozenset(
                STATUS[str(s).rsplit("#", 1)[1]] for s in manifest.objects(resp, MF.expectedStatus)
            )
            location = manifest.value(resp, MF.expectedLocation)
            steps.append(
                Step(
                    str(manifest.value(req, HT.methodName)),  # type: ignore[arg-type]
                    str(manifest.value(req, HT.absolutePath)).replace("/gsp", "/store", 1),  # type: ignore[arg-type]
                    headers_of(manifest, req),
                    chars(manifest, req),
                    statuses,
                    headers_of(manifest, resp).get("content-type"),
                    chars(manifest, resp),
                    None if location is None else str(location),
                )
            )
        cases.append((str(entry).rsplit("#", 1)[1], steps))
    return cases


CASES = load_cases()


@pytest.fixture
def client() -> Iterator[FlaskClient]:
    backend = EmbeddedBackend(Store(), writable=True, query_processes=1)
    app = create_app(backend, Settings(write_token=TOKEN))
    yield app.test_client()
    backend.close()


def test_the_manifest_has_the_nine_indirect_cases() -> None:
    assert [name for name, _ in CASES] == [
        "put_get_repeat_indirect",
        "put_get_default",
        "put_delete_get_delete_indirect",
        "post_get_post_get_indirect",
        "post_get_new_graph",
        "head_existing_indirect",
        "head_non_existing_indirect",
        "put_get_uri_pct_encoded_indirect",
        "put_get_uri_pct_encoded_twice",
    ]


@pytest.mark.parametrize(("name", "steps"), CASES, ids=[name for name, _ in CASES])
def test_w3c_graph_store_protocol(client: FlaskClient, name: str, steps: list[Step]) -> None:
    variables: dict[str, str] = {}
    for number, step in enumerate(steps):
        path, body = step.path, step.body
        for variable, value in variables.items():
            path = path.replace(variable, value)
        response = client.open(
            path,
            method=step.method,
            headers={**step.headers, **WRITER},
            data=None if body is None else body.encode(),
        )
        where = f"{name} step {number}: {step.method} {path}"
        assert response.status_code in step.statuses, f"{where}: {response.get_data(as_text=True)}"
        if step.response_type is not None:
            assert response.headers["Content-Type"] == step.response_type, where
        if step.response_body is not None and step.method == "GET":
            expected = Graph().parse(data=step.response_body, format="turtle")
            got = Graph().parse(data=response.get_data(as_text=True), format="turtle")
            assert isomorphic(expected, got), where
        if step.location_variable is not None:
            variables[step.location_variable] = response.headers["Location"]


GRAPH = "http://example.org/g"
TURTLE = {"Content-Type": "text/turtle"}


@pytest.mark.parametrize(
    ("method", "path", "headers", "body", "status"),
    [
        ("GET", f"/store?graph={GRAPH}", {}, None, 404),
        ("HEAD", f"/store?graph={GRAPH}", {}, None, 404),
        ("DELETE", f"/store?graph={GRAPH}", WRITER, None, 404),
        ("PUT", f"/store?graph={GRAPH}", {**WRITER, **TURTLE}, b"<a> <b> <c> .", 201),
        ("PUT", "/store?default", {**WRITER, **TURTLE}, b"<http://e/a> <http://e/b> 1 .", 204),
        ("PUT", f"/store?graph={GRAPH}", {**WRITER, "Content-Type": "text/plain"}, b"x", 415),
        ("PUT", f"/store?graph={GRAPH}", WRITER, b"<a> <b> <c> .", 415),
        ("PUT", f"/store?graph={GRAPH}", {**WRITER, "Content-Type": "application/trig"}, b"", 415),
        ("PUT", f"/store?graph={GRAPH}", {**WRITER, **TURTLE}, b"<a> <b", 400),
        ("PUT", "/store", {**WRITER, **TURTLE}, b"", 405),
        ("DELETE", "/store", WRITER, None, 405),
        ("PATCH", "/store?default", WRITER, None, 405),
        ("GET", f"/store?graph={GRAPH}&default", {}, None, 400),
        ("GET", f"/store?graph={GRAPH}&graph={GRAPH}", {}, None, 400),
        ("GET", "/store?graph=not%20an%20iri", {}, None, 400),
        ("GET", "/store?default", {"Accept": "image/png"}, None, 406),
        ("GET", "/store", {"Accept": "text/turtle"}, None, 406),
        ("PUT", f"/store?graph={GRAPH}", TURTLE, b"<a> <b> <c> .", 401),
        ("PUT", f"/store?graph={GRAPH}", {"Authorization": "Bearer nope", **TURTLE}, b"", 403),
        ("DELETE", "/store?default", {"Authorization": "Basic Zm9vOmJhcg=="}, None, 401),
    ],
)
def test_store_status_codes(
    client: FlaskClient,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes | None,
    status: int,
) -> None:
    response = client.open(path, method=method, headers=headers, data=body)
    assert response.status_code == status, response.get_data(as_text=True)
    if status >= 400 and method != "HEAD":
        assert response.get_data(as_text=True).startswith(f"{status} ")


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        (None, "text/turtle; charset=utf-8"),
        ("application/n-triples", "application/n-triples"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml;q=0.9, text/turtle;q=0.1", "application/rdf+xml; charset=utf-8"),
    ],
)
def test_get_and_head_agree_on_the_content_type(
    client: FlaskClient, accept: str | None, content_type: str
) -> None:
    client.put(f"/store?graph={GRAPH}", data=b"<a> <b> <c> .", headers={**WRITER, **TURTLE})
    headers = {} if accept is None else {"Accept": accept}
    got = client.get(f"/store?graph={GRAPH}", headers=headers)
    head = client.head(f"/store?graph={GRAPH}", headers=headers)
    assert (got.status_code, head.status_code) == (200, 200)
    assert got.headers["Content-Type"] == head.headers["Content-Type"] == content_type
    assert head.get_data() == b""


def test_whole_dataset_is_served_as_quads(client: FlaskClient) -> None:
    client.put(f"/store?graph={GRAPH}", data=b"<a> <b> <c> .", headers={**WRITER, **TURTLE})
    client.put(
        "/store?default",
        data=b"<http://e/a> <http://e/b> <http://e/c> .",
        headers={**WRITER, **TURTLE},
    )
    response = client.get("/store")
    assert response.headers["Content-Type"] == "application/n-quads"
    assert sorted(response.get_data(as_text=True).splitlines()) == [
        "<http://e/a> <http://e/b> <http://e/c> .",
        f"<http://example.org/a> <http://example.org/b> <http://example.org/c> <{GRAPH}> .",
    ]
    trig = client.get("/store", headers={"Accept": "application/trig"})
    assert trig.headers["Content-Type"] == "application/trig"


def test_post_to_the_store_creates_a_graph_named_in_location(client: FlaskClient) -> None:
    response = client.post(
        "/store", data=b"<http://e/a> <http://e/b> 1 .", headers={**WRITER, **TURTLE}
    )
    assert response.status_code == 201
    location = response.headers["Location"]
    assert location.startswith("https://w3id.org/peru-ecuador-kg/graph/posted/")
    got = client.get(
        "/store", query_string={"graph": location}, headers={"Accept": "application/n-triples"}
    )
    assert (
        got.get_data()
        == b'<http://e/a> <http://e/b> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    )
