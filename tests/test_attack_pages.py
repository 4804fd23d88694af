"""Smaller attacks: script links, missing safety headers, odd paths, secrets in logs and in ps.

Before: ``javascript:`` and ``data:`` IRIs rendered as clickable links, pages had no CSP,
``nosniff`` or frame-ancestors, a non-Latin-1 path was a 500, gunicorn logged whole request
lines (query included) for malformed requests, and the write token was visible in ``ps``.
"""

from __future__ import annotations

import contextlib
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from pyoxigraph import Literal, NamedNode, Quad, Store
from support.attack import connect, read_response, request
from support.paths import SAMPLE

from kg import iris
from kg.cli import main
from kg.execution.embedded import EmbeddedBackend
from kg.settings import Settings
from kg.web import create_app
from kg.web.security import linkable
from tests.support.server import ServerProcess, start_server

ENTITY = iris.ID_NS + "attack"
HOSTILE = ["javascript:alert(1)", "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E", "vbscript:x"]
SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.fixture
def page_client() -> Iterator[FlaskClient]:
    store = Store()
    store.add(Quad(NamedNode(ENTITY), NamedNode(LABEL), Literal("Attack", language="en")))
    for target in [*HOSTILE, "https://example.org/fine"]:
        store.add(Quad(NamedNode(ENTITY), NamedNode(SAME_AS), NamedNode(target)))
    backend = EmbeddedBackend(store, query_processes=1)
    yield create_app(backend, Settings()).test_client()
    backend.close()


def test_script_iris_are_shown_not_linked(page_client: FlaskClient) -> None:
    page = page_client.get(iris.path_of(ENTITY), headers={"Accept": "text/html"})
    assert page.status_code == 200
    hrefs = re.findall(r'href="([^"]*)"', page.get_data(as_text=True))
    assert "https://example.org/fine" in hrefs
    assert not [h for h in hrefs if not linkable(h)], hrefs
    assert 'title="javascript:alert(1)"' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("target", "allowed"),
    [
        ("https://example.org/x", True),
        ("HTTP://example.org/x", True),
        ("/id/x", True),
        ("x?y=1", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("\x01 javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("mailto:a@b", False),
        ("urn:isbn:1", False),
    ],
)
def test_linkable(target: str, allowed: bool) -> None:
    assert linkable(target) is allowed


def test_pages_carry_a_policy_the_editor_satisfies(page_client: FlaskClient) -> None:
    page = page_client.get("/", headers={"Accept": "text/html"})
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in policy
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["X-Frame-Options"] == "DENY"


def test_data_answers_let_nothing_run(page_client: FlaskClient) -> None:
    answer = page_client.get("/sparql", query_string={"query": "ASK {}"})
    assert answer.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/id/%E2%82%AC", "/id/caf%C3%A9.ttl", "/ontology/%E2%82%AC", "/id/%FF", "/%E2%82%AC"]
)
def test_any_path_decodes_or_is_404(page_client: FlaskClient, path: str) -> None:
    assert page_client.get(path, headers={"Accept": "text/html"}).status_code == 404


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    token = tmp_path_factory.mktemp("token") / "token"
    token.write_text("file-token-123\n", encoding="utf-8")
    found = start_server("--no-article", "--data", str(SAMPLE), "--write-token-file", str(token))
    yield found
    found.stop()


@pytest.mark.server
def test_a_non_latin_1_path_is_404_over_http(server: ServerProcess) -> None:
    answer = request(server.url + "/id/%E2%82%AC", headers={"Accept": "text/html"})
    assert answer.status == 404
    assert request(server.url + "/id/%E2%82%AC.ttl").status == 404


@pytest.mark.server
def test_no_query_text_reaches_the_logs(server: ServerProcess) -> None:
    marker = "SECRETMARKER"
    malformed = [
        f"GET /sparql?query={marker}1 HTTP/1.1 extra\r\n\r\n",
        f"GET /sparql?query={marker}2 HTTP/9.9\r\nHost: x\r\n\r\n",
        f"GET /sparql?query={marker}3\r\n\r\n",
        f"GET /sparql?query={marker}4 HTTP/1.1\r\nBad Header\r\n\r\n",
        f"GET /sparql?query={marker}5 HTTP/1.1\r\nHost: x\r\nX: {'a' * 70000}\r\n\r\n",
    ]
    for line in malformed:
        with connect(server.url, source="127.0.0.1") as sock:
            with contextlib.suppress(OSError):
                sock.sendall(line.encode())
            assert read_response(sock, 3).startswith((b"HTTP/1.1 4", b""))
    query = urllib.parse.quote(f"SELECT * {{ ?s ?p '{marker}6' }}")
    assert request(f"{server.sparql}?query={query}").status == 200
    post = request(
        server.sparql,
        "POST",
        f"ASK {{ ?s ?p '{marker}7' }}".encode(),
        {"Content-Type": "application/sparql-query"},
    )
    assert post.status == 200
    assert request(server.sparql + "?query=SELECT%20" + marker + "8").status == 400
    log = "".join(server.output)
    assert "kg.access" in log
    assert marker not in log


@pytest.mark.server
def test_the_token_file_keeps_the_token_off_every_command_line(server: ServerProcess) -> None:
    lines = [
        (Path("/proc") / str(pid) / "cmdline").read_bytes()
        for pid in [server.process.pid, *children(server.process.pid)]
    ]
    assert lines and not [line for line in lines if b"file-token-123" in line]
    answer = request(
        server.url + "/store?graph=http://example.org/t",
        "PUT",
        b"<http://e/a> <http://e/b> <http://e/c> .",
        {"Authorization": "Bearer file-token-123", "Content-Type": "application/n-triples"},
    )
    assert answer.status == 201


def children(pid: int) -> list[int]:
    """List the descendants of a process."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError):
                continue
            if parent == pid:
                found += [int(entry.name), *children(int(entry.name))]
    return found


def test_a_token_on_the_command_line_is_warned_about(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("t\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["serve", "--write-token", "x", "--write-token-file", str(token)]
    )
    assert result.exit_code == 2
    assert "visible to every local user" in result.output
    assert "give the write token one way" in result.output
    empty = tmp_path / "empty"
    empty.write_text("", encoding="utf-8")
    result = CliRunner().invoke(main, ["serve", "--write-token-file", str(empty)])
    assert result.exit_code == 2
    assert "is empty" in result.output
