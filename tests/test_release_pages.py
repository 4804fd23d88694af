"""The pages and the releases: the dataset lists its releases (HTML, VoID/DCAT twins), entity pages
say since which release a statement is in the graph, and a published release reaches every
cached page at once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyoxigraph import NamedNode, RdfFormat, parse
from support.releases import FIRST, REVIEW, SECOND, Releases, two_releases

from kg.execution.embedded import EmbeddedBackend
from kg.graph.build import open_store
from kg.iris import ID_NS
from kg.release.describe import DCAT
from kg.release.names import release_iri
from kg.release.publish import publish
from kg.settings import Settings
from kg.web import create_app


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    return two_releases(tmp_path_factory.mktemp("pages"))


def app_for(root: Path, **settings: object) -> Flask:
    chosen = Settings(releases=root).replace(**settings)
    return create_app(EmbeddedBackend(open_store()), chosen, {"TESTING": True})


@pytest.fixture(scope="module")
def client(releases: Releases) -> FlaskClient:
    return app_for(releases.root).test_client()


def test_the_dataset_page_lists_the_releases_newest_first(client: FlaskClient) -> None:
    page = client.get("/id/dataset").get_data(as_text=True)
    listed = page.split('id="releases-title"', 1)[1].split("</section>", 1)[0]
    assert listed.index(f'href="/release/{SECOND}/"') < listed.index(f'href="/release/{FIRST}/"')
    assert "(latest)" in listed


@pytest.mark.parametrize("suffix", [".ttl", ".jsonld", ".nt"])
def test_the_dataset_description_names_its_releases(client: FlaskClient, suffix: str) -> None:
    response = client.get("/id/dataset" + suffix)
    assert response.status_code == 200
    media = response.headers["Content-Type"].partition(";")[0]
    fmt = RdfFormat.from_media_type(media)
    assert fmt is not None
    found = {(q.subject, q.predicate, q.object) for q in parse(response.data, format=fmt)}
    dataset = NamedNode(ID_NS + "dataset")
    assert (dataset, NamedNode(DCAT + "hasVersion"), NamedNode(release_iri(FIRST))) in found
    assert (dataset, NamedNode(DCAT + "hasCurrentVersion"), NamedNode(release_iri(SECOND))) in found
    # The VoID description is still all there.
    assert any(p.value == "http://rdfs.org/ns/void#triples" for _, p, _ in found)


def test_an_entity_page_says_since_which_release(client: FlaskClient) -> None:
    page = client.get(REVIEW.removeprefix("https://w3id.org/peru-ecuador-kg")).get_data(
        as_text=True
    )
    assert "<th>In releases since</th>" in page
    row = page.split("https://schema.org/itemReviewed", 1)[1].split("</tr>", 1)[0]
    assert f'<a href="/release/{FIRST}/">{FIRST}</a>' in row
    # The live review text is the first release's; the latest reworded it, so it is in no
    # unbroken run of releases up to the latest: no release to name.
    body = page.split("https://schema.org/reviewBody", 1)[1].split("</tr>", 1)[0]
    assert '<td data-label="Since" class="since"></td>' in body


def test_release_links_keep_the_reader_s_language(client: FlaskClient) -> None:
    path = REVIEW.removeprefix("https://w3id.org/peru-ecuador-kg")
    page = client.get(path + "?lang=es").get_data(as_text=True)
    assert "<th>En versiones desde</th>" in page
    assert f'<a href="/release/{FIRST}/?lang=es">{FIRST}</a>' in page
    downloads = client.get("/download?lang=es").get_data(as_text=True)
    for target in (f"/release/{SECOND}/", f"/release/{FIRST}/", "/release/", "/release/latest/"):
        assert f'href="{target}?lang=es"' in downloads
    # The files themselves are the same in every language.
    assert f'href="/release/{SECOND}/dataset.trig"' in downloads


def test_without_releases_there_is_no_since_column(tmp_path: Path) -> None:
    page = app_for(tmp_path / "none").test_client().get("/id/jose-jeri").get_data(as_text=True)
    assert "In releases since" not in page


def test_a_new_release_reaches_cached_pages_at_once(releases: Releases, tmp_path: Path) -> None:
    root = tmp_path / "releases"
    shutil.copytree(releases.root, root)
    client = app_for(root, response_cache_mb=8).test_client()
    before = client.get("/id/dataset").get_data(as_text=True)
    assert client.get("/id/dataset").get_data(as_text=True) == before
    assert "/release/2.0/" not in before
    publish("2.0", root, data_dir=releases.data)
    assert "/release/2.0/" in client.get("/id/dataset").get_data(as_text=True)
