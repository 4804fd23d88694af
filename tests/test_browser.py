"""The site in a real browser: headless Debian chromium driven by playwright-core.

One walk as a journalist takes it (``tests/browser/walk.mjs``) at 1280x900 and 390x844, then
axe-core on every page kind (wide, narrow and dark), horizontal overflow at 390 px, the landing
page's transfer size, the keyboard, the query page's controls in Spanish and the print
stylesheet. The server has one release of the shipped data, so the release pages and the
entity pages' "since" column are walked too. The screenshots and the walk's report
(``report.json``) go to ``test-artifacts/browser``; ``KG_UPDATE_SCREENSHOTS=1`` also copies the
README's to ``docs/screenshots``.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.server import ServerProcess, start_server

from kg.release.publish import publish

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "browser"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
SCREENSHOTS = ROOT / "docs" / "screenshots"
LANDING_BUDGET = 400 * 1024
"""The landing page and everything it loads, as transferred (compressed)."""
RELEASE = "1.0.0"
ENGLISH_CONTROLS = re.compile(
    r"\b(Shows?|Download|Share|Table|Response|results?|supported|plugin|render)\b"
)
"""Words of YASGUI's own English interface strings."""

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Serve the shipped graph and walk it in chromium; return what the walk saw."""
    for needed in ("/usr/bin/chromium", shutil.which("node")):
        assert needed and Path(needed).exists(), "run scripts/system-deps.sh (chromium, node)"
    for module in ("playwright-core", "axe-core"):
        assert (DRIVER / "node_modules" / module).is_dir(), "run scripts/system-deps.sh"
    releases = tmp_path_factory.mktemp("releases")
    publish(RELEASE, releases)
    server: ServerProcess = start_server("--releases", str(releases))
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["node", str(DRIVER / "walk.mjs"), server.url, str(ARTIFACTS), RELEASE],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr + done.stdout
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    (ARTIFACTS / "report.json").write_text(json.dumps(found, indent=1), encoding="utf-8")
    assert "error" not in found, found["error"]
    if os.environ.get("KG_UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for name in ("landing", "entity", "search", "query"):
            for width in ("1280", "390"):
                shutil.copy(ARTIFACTS / f"{name}-{width}.png", SCREENSHOTS / f"{name}-{width}.png")
    yield found


def walk(report: dict[str, object], size: str) -> dict[str, object]:
    """Return what the walk saw at one size."""
    walks = report["walks"]
    assert isinstance(walks, dict)
    found: dict[str, object] = walks[size]
    return found


def test_nothing_leaves_the_server_and_nothing_breaks(report: dict[str, object]) -> None:
    assert report["outside"] == []
    assert report["consoleErrors"] == []


@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_the_landing_page_tells_the_story(report: dict[str, object], size: str) -> None:
    seen = walk(report, size)
    assert seen["landingTitle"] == "The story · Peru–Ecuador KG"
    assert seen["landingHeadline"] == (
        "Peru and Ecuador Pledge to Combat Organized Crime and Illegal Mining"
    )
    # The worst verdict first: the article's wrong year of Jerí's start of office.
    assert seen["firstBadge"] == "Wrong"


@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_a_disputed_statement_opens_its_entity_page_at_its_verdict(
    report: dict[str, object], size: str
) -> None:
    seen = walk(report, size)
    assert (
        seen["cardLink"] == "/id/tenure/jose-jeri-president-of-peru#review-jeri-since-october-2022"
    )
    assert seen["entityUrl"] == seen["cardLink"]
    assert seen["entityHeading"] == "José Jerí, President of Peru"
    assert seen["cardInView"] is True
    assert seen["cardBadge"] == "Wrong"
    assert (
        seen["cardClaimed"]
        == "José Jerí, President of Peru · start date October 2022 → 10 October 2025"
    )


@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_search_finds_jeri_without_the_accent(report: dict[str, object], size: str) -> None:
    seen = walk(report, size)
    suggestions = seen["suggestions"]
    results = seen["searchResults"]
    assert isinstance(suggestions, list) and isinstance(results, list)
    assert suggestions[0] == "José Jerí"
    assert results[0] == "José Jerí"
    assert "José Jerí, President of Peru" in results


@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_the_query_page_keeps_its_state(report: dict[str, object], size: str) -> None:
    seen = walk(report, size)
    assert seen["exampleTitle"] == (
        "Who led each delegation at the meeting where the agreement was reached?"
    )
    assert seen["queryIsExample"] is True
    url = seen["queryUrl"]
    assert isinstance(url, str) and url.startswith("/query?query=%23+Question")
    rows = seen["rows"]
    assert isinstance(rows, list) and len(rows) == 2
    # A row reads across at 1280 px and down at 390 px, where the table stacks.
    assert re.split(r"[\t\n]", rows[1])[:3] == ["Peru", "José Jerí", "led"]
    # Results show labels, with the IRI on hover; one click opens the IRI's page.
    claim = "https://w3id.org/peru-ecuador-kg/id/claim/2025-12-12-peru-ecuador/"
    assert seen["iriTitle"] == claim + "ecuadorian-delegation-chair"
    assert seen["iriText"] == "Daniel Noboa chaired the Ecuadorian side."
    assert seen["afterIri"] == "/id/claim/2025-12-12-peru-ecuador/ecuadorian-delegation-chair"
    # Back restores the query and its results; the shared link shows the same in a new browser.
    assert seen["backUrl"] == url
    assert seen["backQuerySame"] is True
    assert seen["backRows"] == rows
    assert seen["sharedLink"] == url
    assert seen["sharedQuerySame"] is True
    assert seen["sharedRows"] == rows


@pytest.mark.parametrize("size", ["wide", "narrow"])
def test_an_answer_with_dates_draws_as_a_timeline(report: dict[str, object], size: str) -> None:
    rows = walk(report, size)["timelineRows"]
    assert isinstance(rows, list) and len(rows) == 2
    assert rows[0].startswith("Dina Boluarte ended: 2025-10-10")


def test_the_landing_page_transfers_under_400_kb(report: dict[str, object]) -> None:
    seen = walk(report, "wide")
    transferred = seen["landingTransferBytes"]
    assert isinstance(transferred, int)
    assert 10_000 < transferred < LANDING_BUDGET, seen["landingRequests"]
    requests = seen["landingRequests"]
    assert isinstance(requests, list)
    # The editor is not part of the story's page: it loads with the query page.
    assert not [r for r in requests if "yasgui" in r]
    encodings = seen["landingEncodings"]
    assert isinstance(encodings, dict)
    assets = {url: e for url, e in encodings.items() if url.endswith((".css", ".js"))}
    assert len(assets) >= 2 and set(assets.values()) == {"gzip"}, encodings


KINDS = ["landing", "entity", "query", "ontology", "download", "notFound"]
"""The six page kinds axe-core checks in every way: wide, narrow and in dark mode."""


@pytest.mark.parametrize(
    ("run", "page"),
    [
        *(("axe", page) for page in KINDS),
        *(
            ("axe", page)
            for page in (
                "person",
                "search",
                "browse",
                "releases",
                "release",
                "dataset",
                "landingSpanish",
                "entitySpanish",
                "querySpanish",
                "notFoundSpanish",
            )
        ),
        *(("axeNarrow", page) for page in KINDS),
        *(("axeDark", page) for page in KINDS),
    ],
)
def test_axe_finds_no_critical_or_serious_violation(
    report: dict[str, object], run: str, page: str
) -> None:
    found = report[run]
    assert isinstance(found, dict)
    grave = [v for v in found[page] if v["impact"] in ("critical", "serious")]
    assert grave == []


def test_no_page_overflows_at_390_px(report: dict[str, object]) -> None:
    measured = report["overflow"]
    assert isinstance(measured, dict) and len(measured) >= 15
    wider = {url: m for url, m in measured.items() if m["scrollWidth"] > m["clientWidth"]}
    assert wider == {}


def test_the_keyboard_skips_to_the_content_reaches_the_examples_and_leaves_the_editor(
    report: dict[str, object],
) -> None:
    found = report["keyboard"]
    assert isinstance(found, dict)
    assert found["firstStop"] == "Skip to content"
    assert found["skipVisible"] is True
    assert found["afterSkip"] == "main"
    assert found["tabsToFirstExample"] <= 16
    assert found["leftEditor"] is True


def test_the_editor_speaks_spanish_and_downloads_the_answer(report: dict[str, object]) -> None:
    found = report["spanishEditor"]
    assert isinstance(found, dict)
    controls = found["controls"]
    assert isinstance(controls, list)
    assert "Descargar la respuesta (CSV)" in controls
    assert "Compartir esta consulta (un enlace)" in controls
    assert [c for c in controls if ENGLISH_CONTROLS.search(c)] == []
    # The download is the answer as CSV: a header of the variables, a line a row, plain values.
    assert found["downloadName"] == "answer.csv"
    lines = found["downloadLines"]
    assert isinstance(lines, list)
    rows = list(csv.reader(lines))
    assert rows[0] == ["holder", "ended", "event", "eventDate"]
    assert len(rows) == 3 and rows[1][:2] == ["Dina Boluarte", "2025-10-10"]
    assert found["fallback"] == (
        "Esta respuesta no se puede mostrar como cronología: aquí está como tabla."
    )


def test_a_printed_page_is_the_content_without_the_site_s_controls(
    report: dict[str, object],
) -> None:
    assert report["print"] == {
        "nav": False,
        "search": False,
        "footer": False,
        "card": True,
        "heading": True,
    }
