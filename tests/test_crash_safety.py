"""An acknowledged write survives kill -9 of a real ``kg serve --store PATH``."""

from __future__ import annotations

import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.support.server import start_server

pytestmark = pytest.mark.server

TOKEN = "crash-token"
GRAPH = "http://example.org/crash"


def request(url: str, method: str, data: bytes | None = None, **headers: str) -> tuple[int, bytes]:
    """Send one HTTP request and return its status and body."""
    sent = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(sent, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_acknowledged_writes_survive_kill_9(tmp_path: Path) -> None:
    store = tmp_path / "store"
    args = ("--store", str(store), "--no-article", "--write-token", TOKEN)
    server = start_server(*args)
    try:
        status, _ = request(
            f"{server.url}/store?graph={GRAPH}",
            "PUT",
            b"<http://e/a> <http://e/b> <http://e/c> .",
            **{"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"},
        )
        assert status == 201
        update = b"INSERT DATA { <http://e/u> <http://e/v> 42 }"
        status, _ = request(
            f"{server.url}/sparql",
            "POST",
            update,
            **{"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
        )
        assert status in (200, 204)
        server.kill_group()
    finally:
        server.stop()
    restarted = start_server(*args)
    try:
        status, body = request(
            f"{restarted.url}/store?graph={GRAPH}", "GET", Accept="application/n-triples"
        )
        assert (status, body) == (200, b"<http://e/a> <http://e/b> <http://e/c> .\n")
        query = "SELECT ?o { <http://e/u> <http://e/v> ?o }"
        status, body = request(
            f"{restarted.url}/sparql?query={urllib.parse.quote(query)}", "GET", Accept="text/csv"
        )
        assert (status, body) == (200, b"o\r\n42\r\n")
    finally:
        restarted.stop()
