"""A moved resource keeps resolving: its old IRI redirects permanently to the new one."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from test_pages_data.support import shipped_app

OLD = "/id/tenure/jose-jeri-president-of-peru-as-stated"
NEW = "/id/tenure/jose-jeri-president-of-peru"


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    return shipped_app().test_client()


@pytest.mark.parametrize(
    ("path", "location"),
    [
        (OLD, NEW),
        (OLD + ".ttl", NEW + ".ttl"),
        (OLD + "?lang=es", NEW + "?lang=es"),
        (
            "/id/tenure/daniel-noboa-president-of-ecuador-as-stated",
            "/id/tenure/daniel-noboa-president-of-ecuador-2",
        ),
    ],
)
def test_a_moved_iri_redirects_permanently_to_its_replacement(
    client: FlaskClient, path: str, location: str
) -> None:
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert (response.status_code, response.headers["Location"]) == (301, location)
    assert client.get(location, headers={"Accept": "text/turtle"}).status_code == 200


def test_a_review_split_into_several_lists_them_on_its_page(client: FlaskClient) -> None:
    response = client.get("/id/review/2025-12-12-peru-ecuador/trade-figures")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for part in ("trade-2024-figure", "trade-2024-attribution", "trade-2025-figure"):
        assert f'href="/id/review/2025-12-12-peru-ecuador/{part}"' in html
