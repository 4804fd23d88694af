"""The query page in a real browser: headless Debian chromium driven by playwright-core."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.server import ServerProcess, start_server
from test_pages_data.support import MINI, MINI_QUERIES

ROOT = Path(__file__).resolve().parent.parent
DRIVER = ROOT / "tests" / "browser"
ARTIFACTS = ROOT / "test-artifacts" / "browser"

pytestmark = [pytest.mark.browser, pytest.mark.server]


@pytest.fixture(scope="module")
def server() -> Iterator[ServerProcess]:
    process = start_server("--no-article", "--data", str(MINI), "--examples", str(MINI_QUERIES))
    yield process
    process.stop()


def run_flow(server: ServerProcess, example: str) -> dict[str, object]:
    """Run the browser script against the server and return what it saw."""
    for needed in ("/usr/bin/chromium", shutil.which("node")):
        assert needed and Path(needed).exists(), "run scripts/system-deps.sh (chromium, node)"
    assert (DRIVER / "node_modules" / "playwright-core").is_dir(), "run scripts/system-deps.sh"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["node", str(DRIVER / "query-flow.mjs"), server.url, example, str(ARTIFACTS)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr + done.stdout
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return report


def test_browser_runs_example_and_follows_an_iri(server: ServerProcess) -> None:
    report = run_flow(server, "Who led each delegation?")
    assert report["outside"] == []
    assert report["consoleErrors"] == []
    assert report["landingTitle"] == "Home · Peru–Ecuador KG"
    assert report["headers"] == ["", "delegation", "leader"]
    assert report["rows"] == 1
    assert report["clickedHref"] == "/id/peruvian-delegation"
    assert report["entityUrl"] == server.url + "/id/peruvian-delegation"
    assert report["entityHeading"] == "Peruvian delegation"
    requests = report["requests"]
    assert isinstance(requests, list)
    assert server.url + "/static/vendor/yasgui/yasgui.min.js" in requests
    assert all(url.startswith(server.url + "/") for url in requests)
    for name in ("landing.png", "results.png", "entity.png"):
        assert (ARTIFACTS / name).stat().st_size > 10_000
