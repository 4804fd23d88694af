"""Search over English and Spanish labels (accents and case ignored), labels for the query page's
results, and the 404 page's suggestions ranked by similarity."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from test_pages_data.support import shipped_app

from kg.iris import ID_NS
from kg.web.pages.search import MAX_LABELS, fold


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    return shipped_app().test_client()


def suggestions(client: FlaskClient, text: str, lang: str = "en") -> list[dict[str, str]]:
    response = client.get("/search.json", query_string={"q": text, "lang": lang})
    assert response.status_code == 200
    found: list[dict[str, str]] = json.loads(response.data)["results"]
    return found


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("jeri", "jose-jeri"),
        ("JERÍ", "jose-jeri"),
        ("jose jeri", "jose-jeri"),
        ("peru", "peru"),
        ("carondelet", "carondelet-palace"),
        ("palacio de carondelet", "carondelet-palace"),
        ("frontera ecuador", "ecuador-peru-border"),
        ("brasil", "brazil"),
    ],
)
def test_search_is_accent_insensitive_over_both_languages(
    client: FlaskClient, text: str, first: str
) -> None:
    assert suggestions(client, text)[0]["iri"] == ID_NS + first


def test_a_suggestion_says_what_it_is_and_where_it_goes(client: FlaskClient) -> None:
    [jeri, *_] = suggestions(client, "jeri", "es")
    assert jeri == {
        "iri": ID_NS + "jose-jeri",
        "label": "José Jerí",
        "lang": None,
        "kind": "persona",
        "href": "/id/jose-jeri?lang=es",
    }
    [brazil, *_] = suggestions(client, "brazil", "es")
    assert brazil["label"] == "Brasil"


def test_the_story_s_own_things_come_before_claims_and_sources(client: FlaskClient) -> None:
    found = [s["iri"] for s in suggestions(client, "jeri")]
    assert found.index(ID_NS + "tenure/jose-jeri-president-of-peru") < found.index(
        ID_NS + "source/jeri-speech-quito"
    )


def test_the_results_page(client: FlaskClient) -> None:
    page = client.get("/search?q=jeri").get_data(as_text=True)
    assert 'value="jeri"' in page
    assert '<li class="result"><a href="/id/jose-jeri">José Jerí</a>' in page
    empty = client.get("/search?q=zzzz").get_data(as_text=True)
    assert "Nothing matches." in empty


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/search.json?q=" + "x" * 201, "search text is longer than 200 characters"),
        ("/labels.json?" + "&".join(["iri=urn:x"] * (MAX_LABELS + 1)), "at most 100 IRIs"),
        ("/labels.json?iri=a%20b", "is not a valid IRI"),
    ],
)
def test_bad_searches_are_the_client_s_400(client: FlaskClient, path: str, message: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_labels_for_the_results_table(client: FlaskClient) -> None:
    response = client.get(
        "/labels.json",
        query_string=[
            ("iri", ID_NS + "peru"),
            ("iri", "http://www.wikidata.org/entity/Q739"),
            ("iri", "urn:nothing"),
            ("lang", "es"),
        ],
    )
    assert json.loads(response.data) == {
        "labels": {
            ID_NS + "peru": {"label": "Perú", "lang": "es"},
            "http://www.wikidata.org/entity/Q739": {"label": "Colombia", "lang": "es"},
        }
    }


def test_the_404_page_suggests_the_most_similar_first(client: FlaskClient) -> None:
    page = client.get("/id/jose-jery").get_data(as_text=True)
    links = page.split("Perhaps you meant", 1)[1]
    assert links.index('href="/id/jose-jeri"') < links.index('href="/id/jose-maria-balcazar"')
    assert '<a href="/id/jose-jeri">José Jerí</a>' in links


def test_fold() -> None:
    assert fold("Perú–Ecuador, 1998") == "peru ecuador 1998"
