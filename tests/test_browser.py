"""The site in a real browser: headless Debian chromium driven by playwright-core.

One walk as a journalist takes it (``tests/browser/walk.mjs``) at 1280x900 and 390x844, then
axe-core on every page kind, horizontal overflow at 390 px and the landing page's transfer
size. The screenshots go to ``test-artifacts/browser``; ``KG_UPDATE_SCREENSHOTS=1`` also copies
the README's to ``docs/screenshots``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.server import ServerProcess, start_server

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "browser"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
SCREENSHOTS = ROOT / "docs" / "screenshots"
LANDING_BUDGET = 400 * 1024
"""The landing page and everything it loads, as transferred (compressed)."""

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """Serve the shipped graph and walk it in chromium; return what the walk saw."""
    for needed in ("/usr/bin/chromium", shutil.which("node")):
        assert needed and Path(needed).exists(), "run scripts/system-deps.sh (chromium, node)"
    for module in ("playwright-core", "axe-core"):
        assert (DRIVER / "node_modules" / module).is_dir(), "run scripts/system-deps.sh"
    releases = tmp_path_factory.mktemp("no-releases")
    server: ServerProcess = start_server("--releases", str(releases))
    try:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            ["node", str(DRIVER / "walk.mjs"), server.url, str(ARTIFACTS)],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        server.stop()
    assert done.returncode == 0, done.stderr + done.stdout
    found: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
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


@pytest.mark.parametrize(
    "page",
    [
        "landing",
        "entity",
        "query",
        "ontology",
        "download",
        "notFound",
        "search",
        "browse",
        "landingSpanish",
    ],
)
def test_axe_finds_no_critical_or_serious_violation(report: dict[str, object], page: str) -> None:
    found = report["axe"]
    assert isinstance(found, dict)
    grave = [v for v in found[page] if v["impact"] in ("critical", "serious")]
    assert grave == []


def test_no_page_overflows_at_390_px(report: dict[str, object]) -> None:
    measured = report["overflow"]
    assert isinstance(measured, dict) and len(measured) >= 15
    wider = {url: m for url, m in measured.items() if m["scrollWidth"] > m["clientWidth"]}
    assert wider == {}


def test_the_keyboard_reaches_the_examples_and_leaves_the_editor(report: dict[str, object]) -> None:
    found = report["keyboard"]
    assert isinstance(found, dict)
    assert found["tabsToFirstExample"] <= 16
    assert found["leftEditor"] is True
