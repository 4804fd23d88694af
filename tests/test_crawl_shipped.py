"""Crawl the shipped graph: no broken link, and every claim's sentence within three clicks."""

from __future__ import annotations

import html as html_lib
import json

import pytest
from test_pages_data.support import SENTENCES_OF_CLAIMS, Crawl, crawl, shipped_app

from kg import iris


@pytest.fixture(scope="module")
def app_and_site() -> tuple[object, Crawl]:
    app = shipped_app()
    return app, crawl(app.test_client(), "/")


def test_shipped_site_has_no_broken_link(app_and_site: tuple[object, Crawl]) -> None:
    _, site = app_and_site
    assert site.broken == {}
    assert site.status["/id/jose-jeri"] == 200
    assert site.status["/id/dataset"] == 200


def test_shipped_claims_are_three_clicks_from_their_sentence(
    app_and_site: tuple[object, Crawl],
) -> None:
    app, site = app_and_site
    client = app.test_client()  # type: ignore[attr-defined]
    response = client.post(
        "/sparql",
        data=SENTENCES_OF_CLAIMS,
        headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
    )
    rows = json.loads(response.data)["results"]["bindings"]
    counted = client.post(
        "/sparql",
        data="SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a <https://schema.org/Claim> }",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
    )
    claims = int(json.loads(counted.data)["results"]["bindings"][0]["n"]["value"])
    assert len(rows) == claims >= 35
    far = {}
    for row in rows:
        claim, exact = row["claim"]["value"], row["exact"]["value"]
        marked = f"<mark>{html_lib.escape(exact, quote=False)}</mark>"
        link = f'href="{iris.path_of(claim)}"'
        depths = [
            site.depth[u] for u, page in site.pages.items() if marked in page and link in page
        ]
        if not depths or min(depths) > 3:
            far[claim] = min(depths, default=None)
    assert far == {}
