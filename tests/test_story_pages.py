"""The story's pages over the shipped graph: the landing page, review cards, one-line
descriptions, the timeline and entity pages, as data (outside a request) and as HTML."""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterator
from datetime import date

import pytest
from flask.testing import FlaskClient
from pyoxigraph import RdfFormat, parse
from test_pages_data.support import shipped_app

from kg.execution.embedded import EmbeddedBackend
from kg.graph.build import open_store
from kg.iris import ID_NS, ONTOLOGY_NS
from kg.pipeline import Services
from kg.settings import Settings
from kg.web.pages import landing, oneline, reviews
from kg.web.pages.labels import Labels
from kg.web.pages.reader import Reader

STATEMENT = ID_NS + "statement/2025-12-12-peru-ecuador/"
TENURE = ID_NS + "tenure/jose-jeri-president-of-peru"
DISPUTED = f"""SELECT ?s WHERE {{ ?s <{ONTOLOGY_NS}status> <{ONTOLOGY_NS}status/disputed> }}"""


@pytest.fixture(scope="module")
def reader() -> Iterator[Reader]:
    services = Services(Settings(), EmbeddedBackend(open_store(), query_processes=1))
    yield Reader(services)
    services.close()


@pytest.fixture(scope="module")
def summary(reader: Reader) -> landing.Summary:
    return landing.summarize(reader, "en")


@pytest.fixture(scope="module")
def client() -> FlaskClient:
    return shipped_app().test_client()


def test_the_story_opens_with_the_article(summary: landing.Summary) -> None:
    [article] = summary.articles
    assert article.headline is not None and article.headline.value.startswith("Peru and Ecuador")
    assert article.published is not None and article.published.value == "2025-12-12"
    assert article.credit is not None and article.credit.value == "Web Editor"
    assert article.publisher is None
    assert article.lede is not None and article.lede.value.startswith(
        "Peru and Ecuador have agreed to collaborate"
    )


def test_the_cards_show_every_statement_the_sources_did_not_confirm(
    summary: landing.Summary, reader: Reader
) -> None:
    statuses = [card.status_name for card in summary.cards]
    assert "confirmed" not in statuses
    assert [card.badge for card in summary.cards[:2]] == ["Wrong", "Misattributed"]
    reviewed = {item.statement for card in summary.cards for item in card.items}
    disputed = {row["s"].value for row in reader.select(DISPUTED)}
    assert len(disputed) == 7 and disputed <= reviewed
    # The six statements of "both leaders have emphasized ..." are one finding, one card.
    emphasis = [c for c in summary.cards if any("leaders-emphasis" in i.statement for i in c.items)]
    assert [len(c.items) for c in emphasis] == [6]
    assert len(summary.cards) == 9


def test_a_card_sets_the_claimed_value_beside_the_verified_one(summary: landing.Summary) -> None:
    wrong = summary.cards[0]
    [item] = wrong.items
    assert (
        item.statement
        == STATEMENT + "jeri-interim-presidency.jose-jeri-president-of-peru.startDate"
    )
    assert item.subject == TENURE
    assert item.claimed is not None and item.claimed.text == "October 2022"
    assert [v.text for v in item.verified] == ["10 October 2025"]
    assert wrong.anchor == "review-jeri-since-october-2022"
    assert summary.labels.show(wrong.sources[0]) == "atv.pe (10 Oct 2025)"
    rounded = next(c for c in summary.cards if c.badge == "Rounded")
    assert rounded.items[0].claimed is not None
    assert (rounded.items[0].claimed.text, [v.text for v in rounded.items[0].verified]) == (
        "1,500 km",
        ["1,529 km"],
    )


def test_the_story_lists_people_and_places_not_roles(summary: landing.Summary) -> None:
    by_key = {group.key: group for group in summary.groups}
    people = [summary.labels.show(m.iri) for m in by_key["people"].members]
    assert people == ["Daniel Noboa", "Dina Boluarte", "José Jerí"]
    everyone = [m.iri for g in summary.groups for m in g.members]
    assert not [iri for iri in everyone if "/role/" in iri]
    assert len(everyone) == len(set(everyone))
    jeri = next(m for m in by_key["people"].members if m.iri == ID_NS + "jose-jeri")
    assert jeri.line is not None
    assert jeri.line.text == (
        "President of Peru, 10 October 2025 – 17 February 2026 · born 13 November 1986, Lima"
    )


def test_one_line_descriptions_in_spanish(reader: Reader) -> None:
    labels = Labels.fetch(reader, [], "es")
    found = oneline.lines(reader, [ID_NS + "jose-jeri", ID_NS + "ecuador-peru-border"], labels)
    assert found[ID_NS + "jose-jeri"].text.startswith(
        "Presidente del Perú, 10 de octubre de 2025 – 17 de febrero de 2026"
    )
    assert found[ID_NS + "ecuador-peru-border"].text == "entre Ecuador y Perú · 1\u202f529 km"


def test_the_timeline_draws_the_article_s_year_beside_the_verified_day(
    summary: landing.Summary,
) -> None:
    drawn = summary.timeline
    assert drawn is not None
    lane = next(lane for lane in drawn.rows if lane.iri == TENURE)
    kinds = {(m.kind, m.first, m.last) for m in lane.marks}
    assert ("verified", date(2025, 10, 10), date(2026, 2, 17)) in kinds
    assert ("corrected", date(2022, 10, 1), date(2026, 2, 17)) in kinds
    assert "start date: October 2022 (article, corrected)" in lane.words
    # The 1995 war and the 2025 meeting get stretches of their own, with a break between.
    assert [(s.first.year, s.last.year) for s in drawn.stretches] == [(1994, 1999), (2022, 2026)]
    assert len(drawn.breaks) == 1
    for each in drawn.rows:
        for mark in each.marks:
            left, width = drawn.bar(mark)
            assert left >= 0 and left + width <= 100


def test_reviews_of_an_entity_include_its_claims_statements(reader: Reader) -> None:
    labels = Labels.fetch(reader, [], "en")
    claim = ID_NS + "claim/2025-12-12-peru-ecuador/jeri-interim-presidency"
    found = reviews.cards(reader, reviews.concerning(TENURE, [claim]), labels)
    assert {c.badge for c in found} == {"Wrong", "Outdated", "Confirmed"}


def test_the_landing_page_shows_the_story_not_the_plumbing(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "What the article got wrong or left unconfirmed" in page
    assert page.index("What the article got wrong") < page.index("Who and where")
    for plumbing in ("oa:Annotation", "TextPositionSelector", "prov:Entity", "wikiba.se"):
        assert plumbing not in page
    assert 'href="/id/tenure/jose-jeri-president-of-peru#review-jeri-since-october-2022"' in page
    assert '<a href="/browse">Browse all classes</a>' in page
    assert "yasgui" not in page


def test_the_landing_page_in_spanish_marks_english_text(client: FlaskClient) -> None:
    page = client.get("/?lang=es").get_data(as_text=True)
    assert '<html lang="es">' in page
    assert "Lo que el artículo dice mal o deja sin confirmar" in page
    assert '<h1 lang="en">Peru and Ecuador Pledge' in page
    assert '<p class="finding"><span lang="en">1,529 km (the article rounds)</span></p>' in page
    assert "<h3>Personas</h3>" in page


def test_no_page_calls_the_ontology_anything_but_pek(client: FlaskClient) -> None:
    for path in ("/", "/ontology", "/id/jose-jeri", "/download", "/query", "/browse"):
        page = client.get(path).get_data(as_text=True)
        assert "pek:" in page
        assert not re.search(r"\bkg:[A-Za-z]", page), path


def test_an_entity_page_reads_as_prose_first(client: FlaskClient) -> None:
    page = client.get("/id/tenure/jose-jeri-president-of-peru").get_data(as_text=True)
    assert (
        '<p class="oneline">José Jerí, President of Peru · 10 October 2025 – 17 February 2026</p>'
        in page
    )
    card = page.split('id="review-jeri-since-october-2022"', 1)[1].split("</article>", 1)[0]
    assert (
        '<span class="badge status-corrected" title="corrected (wrong) (1/5)">Wrong</span>' in card
    )
    assert '<strong class="now"><span>10 October 2025</span></strong>' in card
    # The cards come before the sentences, and the sentences before the data.
    assert page.index("review-jeri-since") < page.index("What the article says, and where")
    assert page.index("What the article says, and where") < page.index(">Statements<")


def test_an_entity_page_shows_each_sentence_once(client: FlaskClient) -> None:
    page = client.get("/id/jose-jeri").get_data(as_text=True)
    marks = re.findall(r"<mark>(.*?)</mark>", page, flags=re.S)
    assert marks and len(marks) == len(set(marks))
    sentence = html_lib.escape("José Jerí, the interim president of Peru since October 2022", False)
    assert sum(sentence in m for m in marks) == 1


def test_an_entity_s_rdf_twins_read_as_the_downloads_do(client: FlaskClient) -> None:
    turtle = client.get("/id/dataset.ttl")
    text = turtle.get_data(as_text=True)
    assert f"@prefix pek: <{ONTOLOGY_NS}> ." in text
    assert "@prefix void: <http://rdfs.org/ns/void#> ." in text
    assert " void:triples " in text
    document = json.loads(client.get("/id/jose-jeri.jsonld").data)
    assert document["@context"]["pek"] == ONTOLOGY_NS
    (person,) = [n for n in document["@graph"] if n["@id"] == "id:jose-jeri"]
    assert "pek:emphasized" in person
    # The same statements in every twin, each once (the description's query repeats some).
    lines = client.get("/id/dataset.nt").get_data(as_text=True).splitlines()
    assert len(lines) == len(set(lines)) > 100
    ntriples = set(parse(client.get("/id/jose-jeri.nt").data, format=RdfFormat.N_TRIPLES))
    assert ntriples == set(parse(client.get("/id/jose-jeri.ttl").data, format=RdfFormat.TURTLE))
    assert ntriples == set(parse(client.get("/id/jose-jeri.jsonld").data, format=RdfFormat.JSON_LD))


def test_the_404_page_in_spanish_marks_english_suggestions(client: FlaskClient) -> None:
    page = client.get("/id/jose-jery?lang=es").get_data(as_text=True)
    assert '<a href="/id/jose-jeri?lang=es">José Jerí</a>' in page
    took_office = "José Jerí took office as President of Peru"
    assert f'<a href="/id/fact/jose-jeri-took-office?lang=es" lang="en">{took_office}</a>' in page
