"""Releases served read-only under /release/: files byte for byte, pages, redirects, queries."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyoxigraph import NamedNode, RdfFormat, Store, parse
from support.paths import SAMPLE
from support.releases import (
    BODY,
    FIRST,
    NEW_BODY,
    NEW_VERDICT,
    REVIEW,
    SECOND,
    STATEMENT,
    VERDICT,
    Releases,
    two_releases,
)
from support.server import start_server

from kg import iris
from kg.execution.embedded import EmbeddedBackend
from kg.graph.build import open_store
from kg.release import names
from kg.release.publish import publish
from kg.settings import Settings
from kg.web import create_app

TOKEN = "release-token"
BODY_QUERY = f"SELECT ?body WHERE {{ <{REVIEW}> <https://schema.org/reviewBody> ?body }}"


@dataclass(frozen=True)
class Term:
    """A result term as the entity pages hold it (kind, value, language, datatype)."""

    kind: str
    value: str
    lang: str | None = None
    datatype: str | None = None


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    """Two releases that the tests read and never change."""
    return two_releases(tmp_path_factory.mktemp("served"))


def app_for(root: Path, **settings: object) -> Flask:
    """Return the app over the shipped data (writable in memory), serving the releases of root."""
    backend = EmbeddedBackend(open_store(), writable=True, query_processes=2)
    chosen = Settings(releases=root, write_token=TOKEN).replace(**settings)
    return create_app(backend, chosen, {"TESTING": True})


@pytest.fixture(scope="module")
def client(releases: Releases) -> FlaskClient:
    """Return a client of an app that serves the two releases (no test writes through it)."""
    return app_for(releases.root).test_client()


def values(client: FlaskClient, path: str, query: str, **params: str) -> list[str]:
    """Run a one-variable SELECT and return the values it answers."""
    response = client.get(
        path,
        query_string={"query": query, **params},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.data
    answer = json.loads(response.data)
    [name] = answer["head"]["vars"]
    return [row[name]["value"] for row in answer["results"]["bindings"]]


@pytest.mark.parametrize("name", sorted(names.MEDIA_TYPES))
def test_every_file_downloads_byte_identical(
    client: FlaskClient, releases: Releases, name: str
) -> None:
    response = client.get(f"/release/{FIRST}/{name}")
    assert response.status_code == 200
    assert response.data == (releases.root / FIRST / name).read_bytes()
    assert response.mimetype == names.MEDIA_TYPES[name]
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_a_file_carries_its_sha256(client: FlaskClient, releases: Releases) -> None:
    response = client.get(f"/release/{SECOND}/dataset.trig")
    digest = hashlib.sha256((releases.root / SECOND / "dataset.trig").read_bytes()).digest()
    assert response.headers["Repr-Digest"] == f"sha-256=:{base64.b64encode(digest).decode()}:"


def test_a_range_of_a_file(releases: Releases) -> None:
    # Without the response cache, which may answer a range with the whole file (as HTTP allows).
    client = app_for(releases.root, response_cache_mb=0).test_client()
    with client.get(f"/release/{FIRST}/dataset.nq", headers={"Range": "bytes=0-9"}) as response:
        assert response.status_code == 206
        assert response.data == (releases.root / FIRST / "dataset.nq").read_bytes()[:10]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (f"/release/{FIRST}/store.db", "release 1.0.0 has no file 'store.db'; it has CHANGES.md"),
        (f"/release/{FIRST}/.hidden", "has no file '.hidden'"),
        ("/release/9.9/dataset.trig", "no release '9.9'; releases: 1.0.0, 1.1.0"),
        ("/release/9.9/", "no release '9.9'"),
        ("/release/9.9", "no release '9.9'"),
        ("/release/9.9/sparql?query=ASK%7B%7D", "no release '9.9'"),
    ],
)
def test_what_no_release_holds_is_404(client: FlaskClient, path: str, message: str) -> None:
    response = client.get(path, headers={"Accept": "text/plain"})
    assert response.status_code == 404
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("/release/latest/", f"/release/{SECOND}/"),
        ("/release/latest", f"/release/{SECOND}/"),
        ("/release/latest/dataset.trig", f"/release/{SECOND}/dataset.trig"),
        ("/release/latest/sparql?query=ASK%7B%7D", f"/release/{SECOND}/sparql?query=ASK%7B%7D"),
    ],
)
def test_latest_redirects_to_the_newest(client: FlaskClient, path: str, target: str) -> None:
    response = client.get(path)
    assert (response.status_code, response.headers["Location"]) == (302, target)
    assert response.headers["Cache-Control"] == "no-store"


def test_latest_without_releases_is_404(tmp_path: Path) -> None:
    response = app_for(tmp_path / "none").test_client().get("/release/latest/")
    assert response.status_code == 404
    assert "no release yet; make one with `kg release VERSION`" in response.get_data(as_text=True)


def test_a_version_without_slash_redirects(client: FlaskClient) -> None:
    response = client.get(f"/release/{FIRST}")
    assert (response.status_code, response.headers["Location"]) == (308, f"/release/{FIRST}/")


def test_the_listing_names_every_release_newest_first(client: FlaskClient) -> None:
    response = client.get("/release/")
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    assert page.index(f">{SECOND}</a> (latest)") < page.index(f">{FIRST}</a>")
    assert f'<td><a href="/release/{FIRST}/">{FIRST}</a></td>' in page


def test_the_listing_is_a_dcat_catalog_for_machines(client: FlaskClient) -> None:
    response = client.get("/release/", headers={"Accept": "text/turtle"})
    assert response.mimetype == "text/turtle"
    store = Store()
    store.load(response.data, format=RdfFormat.TURTLE)
    dataset = NamedNode(iris.ID_NS + "dataset")
    dcat = "http://www.w3.org/ns/dcat#"
    versions = {
        q.object for q in store.quads_for_pattern(dataset, NamedNode(dcat + "hasVersion"), None)
    }
    assert versions == {NamedNode(names.release_iri(v)) for v in (FIRST, SECOND)}
    current = [
        q.object
        for q in store.quads_for_pattern(dataset, NamedNode(dcat + "hasCurrentVersion"), None)
    ]
    assert current == [NamedNode(names.release_iri(SECOND))]


def test_a_release_page_shows_its_files_and_changes(
    client: FlaskClient, releases: Releases
) -> None:
    response = client.get(f"/release/{SECOND}/")
    page = response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert f'<a href="/release/{FIRST}/">{FIRST}</a>' in page
    digest = hashlib.sha256((releases.root / SECOND / "dataset.trig").read_bytes()).hexdigest()
    assert f"<code>{digest}</code>" in page
    assert "changed: id/review/2025-12-12-peru-ecuador/border-1500-km" in page
    assert f'</release/{SECOND}/description.ttl>; rel="alternate"' in response.headers["Link"]


def test_a_release_page_for_machines_is_its_description(
    client: FlaskClient, releases: Releases
) -> None:
    response = client.get(f"/release/{SECOND}/", headers={"Accept": "text/turtle"})
    assert response.data == (releases.root / SECOND / "description.ttl").read_bytes()


def test_a_query_gets_the_release_answer_after_the_live_data_changed(releases: Releases) -> None:
    client = app_for(releases.root).test_client()
    first, second = f"/release/{FIRST}/sparql", f"/release/{SECOND}/sparql"
    assert values(client, first, BODY_QUERY) == [BODY]
    assert values(client, second, BODY_QUERY) == [NEW_BODY]
    assert values(client, "/sparql", BODY_QUERY) == [BODY]
    update = (
        f"PREFIX schema: <https://schema.org/> "
        f"DELETE WHERE {{ GRAPH ?g {{ <{REVIEW}> schema:reviewBody ?b }} }} ; INSERT DATA {{ "
        f'GRAPH <{iris.REVIEWS_GRAPH}> {{ <{REVIEW}> schema:reviewBody "changed live"@en }} }}'
    )
    written = client.post(
        "/sparql",
        data=update,
        headers={"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    assert written.status_code == 204
    assert values(client, "/sparql", BODY_QUERY) == ["changed live"]
    assert values(client, first, BODY_QUERY) == [BODY]
    assert values(client, second, BODY_QUERY) == [NEW_BODY]


def test_a_query_can_name_a_release_graph_as_its_dataset(
    client: FlaskClient, releases: Releases
) -> None:
    reviews = iris.REVIEWS_GRAPH
    in_file = sum(
        1
        for q in parse(path=releases.root / FIRST / "dataset.nq", format=RdfFormat.N_QUADS)
        if q.graph_name == NamedNode(reviews)
    )
    answer = values(
        client,
        f"/release/{FIRST}/sparql",
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        **{"default-graph-uri": reviews},
    )
    assert answer == [str(in_file)]


def test_a_release_refuses_updates(client: FlaskClient) -> None:
    response = client.post(
        f"/release/{FIRST}/sparql",
        data={"update": "CLEAR ALL"},
        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "text/plain"},
    )
    assert response.status_code == 403
    assert "release 1.0.0 never changes; send updates to /sparql" in response.get_data(as_text=True)


def test_a_release_endpoint_describes_itself(client: FlaskClient) -> None:
    response = client.get(f"/release/{FIRST}/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    names_of_graphs = {
        t.object
        for t in parse(response.data, format=RdfFormat.TURTLE)
        if t.predicate == NamedNode("http://www.w3.org/ns/sparql-service-description#name")
    }
    assert NamedNode(iris.REVIEWS_GRAPH) in names_of_graphs
    assert NamedNode(iris.VOID_GRAPH) not in names_of_graphs


def test_a_bad_query_to_a_release_is_400(client: FlaskClient) -> None:
    response = client.get(
        f"/release/{FIRST}/sparql?query=SELECT%20%3Fx%20WHERE%20%7B",
        headers={"Accept": "text/csv"},
    )
    assert response.status_code == 400
    assert "SPARQL syntax error" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("predicate", "value", "since"),
    [
        ("https://schema.org/itemReviewed", Term("uri", STATEMENT), FIRST),
        ("https://schema.org/reviewBody", Term("literal", NEW_BODY, "en"), SECOND),
        ("https://schema.org/reviewBody", Term("literal", BODY, "en"), None),
        ("https://schema.org/reviewRating", Term("uri", NEW_VERDICT), SECOND),
        ("https://schema.org/reviewRating", Term("uri", VERDICT), None),
    ],
)
def test_entity_pages_can_say_since_which_release(
    client: FlaskClient, predicate: str, value: Term, since: str | None
) -> None:
    with client.application.test_request_context("/id/x"):
        found = client.application.jinja_env.globals["released_since"](
            REVIEW, predicate, value, iris.REVIEWS_GRAPH
        )
    assert found == since


def test_downloads_list_the_releases_as_they_are_published(
    releases: Releases, tmp_path: Path
) -> None:
    root = tmp_path / "releases"
    shutil.copytree(releases.root, root)
    client = app_for(root, response_cache_mb=8).test_client()
    before = client.get("/download")
    assert before.headers["Cache-Control"] == "no-store" and "ETag" not in before.headers
    assert f'<a href="/release/{SECOND}/dataset.trig">dataset.trig</a>' in before.get_data(
        as_text=True
    )
    assert "/release/2.0/" not in before.get_data(as_text=True)
    listing = client.get("/release/").get_data(as_text=True)
    publish("2.0", root, data_dir=releases.data)
    assert "/release/2.0/" in client.get("/download").get_data(as_text=True)
    assert client.get("/release/").get_data(as_text=True) != listing
    assert client.get("/release/latest/").headers["Location"] == "/release/2.0/"


@pytest.mark.server
def test_a_real_server_sends_the_release_file_byte_identical(releases: Releases) -> None:
    server = start_server("--releases", str(releases.root), "--no-article", "--data", str(SAMPLE))
    try:
        for version in (FIRST, SECOND):
            with urllib.request.urlopen(f"{server.url}/release/{version}/dataset.trig") as response:
                body = response.read()
                headers = response.headers
            assert body == (releases.root / version / "dataset.trig").read_bytes()
            assert headers["Content-Type"] == "application/trig"
        with urllib.request.urlopen(f"{server.url}/release/latest/dataset.trig") as response:
            assert response.url.endswith(f"/release/{SECOND}/dataset.trig")
    finally:
        server.stop()


@pytest.mark.parametrize("version", [FIRST, SECOND, "latest"])
def test_the_release_parameter_runs_a_query_against_that_release(
    releases: Releases, version: str
) -> None:
    client = app_for(releases.root).test_client()
    body = NEW_BODY if version in (SECOND, "latest") else BODY
    assert values(client, "/sparql", BODY_QUERY, release=version) == [body]
    form = client.post(
        "/sparql",
        data={"query": BODY_QUERY, "release": version},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert [r["body"]["value"] for r in form.json["results"]["bindings"]] == [body]
    assert values(client, "/sparql", BODY_QUERY) == [BODY]


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"release": "9.9"}, 404, "no release '9.9'"),
        ({"release": ["1.0.0", "1.1.0"]}, 400, "the parameter 'release' is given 2 times"),
        ({"release": "1.0.0", "update": "CLEAR ALL"}, 400, "must be sent by POST"),
    ],
)
def test_a_bad_release_parameter_is_a_clear_error(
    client: FlaskClient, params: dict[str, object], status: int, message: str
) -> None:
    response = client.get(
        "/sparql", query_string={"query": "ASK {}", **params}, headers={"Accept": "text/plain"}
    )
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_an_update_with_the_release_parameter_is_refused(client: FlaskClient) -> None:
    response = client.post(
        "/sparql?release=1.0.0",
        data={"update": "CLEAR ALL"},
        headers={"Authorization": f"Bearer {TOKEN}", "Accept": "text/plain"},
    )
    assert response.status_code == 400
    assert "a release never changes" in response.get_data(as_text=True)
