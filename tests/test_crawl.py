"""Crawl the site from the landing page: every link answers, and every fact's sentence is near."""

from __future__ import annotations

import html as html_lib

import pytest
from flask.testing import FlaskClient
from pyoxigraph import QuerySolutions
from test_pages_data.support import (
    SENTENCES_OF_CLAIMS,
    Crawl,
    crawl,
    mini_app,
    mini_store,
)

from kg import iris


@pytest.fixture(scope="module")
def site() -> Crawl:
    client: FlaskClient = mini_app().test_client()
    return crawl(client, "/")


def test_crawl_finds_no_broken_link(site: Crawl) -> None:
    assert site.broken == {}


def test_crawl_reaches_every_minted_subject(site: Crawl) -> None:
    store = mini_store()
    result = store.query(
        "SELECT DISTINCT ?s { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?s), "{iris.ID_NS}")) }}'
    )
    assert isinstance(result, QuerySolutions)
    subjects = {iris.path_of(row[0].value) for row in result}
    assert len(subjects) == 18
    assert subjects - set(site.pages) == set()


def test_crawl_follows_both_languages(site: Crawl) -> None:
    assert site.status["/id/jose-jeri?lang=es"] == 200
    assert site.status["/ontology.ttl"] == 200
    editor = [u for u in site.status if u.startswith("/static/vendor/yasgui/yasgui.min.")]
    assert [site.status[u] for u in editor] == [200, 200]


def test_every_fact_is_three_clicks_from_its_sentence(site: Crawl) -> None:
    """For each claim: a page at most three clicks from / shows its sentence and links the claim."""
    result = mini_store().query(SENTENCES_OF_CLAIMS, use_default_graph_as_union=True)
    assert isinstance(result, QuerySolutions)
    claims = [(row[0].value, row[1].value) for row in result]
    assert len(claims) == 2
    for claim, exact in claims:
        marked = f"<mark>{html_lib.escape(exact, quote=False)}</mark>"
        link = f'href="{iris.path_of(claim)}"'
        depths = [
            site.depth[url] for url, page in site.pages.items() if marked in page and link in page
        ]
        assert depths, f"no page shows the sentence of {claim}"
        assert min(depths) <= 3, f"the sentence of {claim} is {min(depths)} clicks away"
