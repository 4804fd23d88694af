"""The W3C SPARQL 1.1 Protocol test suite, run over real HTTP against ``kg serve`` processes.

Every case of the manifest runs twice: in full mode against a server started with
``--write-token``, every request carrying the token, where every case must pass as written
(updates, their datasets and ``update_base_uri`` included); and against a read-only server,
where the update cases must be refused with 403, which is what a read-only endpoint owes.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import rdflib
from rdflib import RDF, Namespace
from rdflib.collection import Collection
from support.paths import SAMPLE
from support.server import ServerProcess, start_server

MANIFEST = Path(__file__).parent / "data" / "w3c-protocol" / "manifest.ttl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")

SOLUTION_TYPES = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
RDF_TYPES = {"text/turtle", "application/n-triples", "application/rdf+xml"}
TOKEN = "w3c-protocol-writer"


@dataclass(frozen=True)
class Step:
    """One HTTP request of a test and what its response must be."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...]
    body: bytes | None
    statuses: frozenset[int]
    boolean: bool | None
    format: str | None


def load_cases() -> list[tuple[str, list[Step]]]:
    """Read the manifest into (name, steps) in manifest order."""
    graph = rdflib.Graph()
    graph.parse(MANIFEST)
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    cases = []
    for test in Collection(graph, graph.value(manifest, MF.entries)):
        action = graph.value(test, MF.action)
        steps = [_step(graph, r) for r in Collection(graph, graph.value(action, HT.requests))]
        cases.append((str(test).rpartition("#")[2], steps))
    return cases


def _step(graph: rdflib.Graph, node: rdflib.term.Node) -> Step:
    """Read one ht:Request with its expected ht:Response."""
    headers = graph.value(node, HT.headers)
    body = graph.value(node, HT.body)
    response = graph.value(node, HT.resp)
    boolean = graph.value(response, MF.expectedBoolean)
    fmt = graph.value(response, MF.expectedFormat)
    encoding = str(graph.value(body, CNT.characterEncoding)) if body is not None else "UTF-8"
    statuses = {int(str(s)[-3]) for s in graph.objects(response, MF.expectedStatus)}
    return Step(
        method=str(graph.value(node, HT.methodName)),
        path=str(graph.value(node, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
        headers=tuple(
            (str(graph.value(h, HT.fieldName)), str(graph.value(h, HT.fieldValue)))
            for h in (Collection(graph, headers) if headers is not None else ())
        ),
        body=str(graph.value(body, CNT.chars)).encode(encoding) if body is not None else None,
        statuses=frozenset(statuses),
        boolean=None if boolean is None else boolean.toPython(),
        format=None if fmt is None else str(fmt),
    )


CASES = load_cases()


def test_the_manifest_has_every_case() -> None:
    assert len(CASES) == 34


def send(server: ServerProcess, step: Step, token: str | None = None) -> tuple[int, str, bytes]:
    """Send one request exactly as the manifest writes it (with the write token, if given)."""
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=30)
    try:
        connection.putrequest(step.method, step.path, skip_accept_encoding=True)
        for name, value in step.headers:
            connection.putheader(name, value)
        if token is not None:
            connection.putheader("Authorization", f"Bearer {token}")
        connection.putheader("Content-Length", str(len(step.body or b"")))
        connection.endheaders(step.body)
        response = connection.getresponse()
        body = response.read()
        return response.status, response.getheader("Content-Type") or "", body
    finally:
        connection.close()


def boolean_of(content_type: str, body: bytes) -> bool:
    """Read the answer of an ASK query from SPARQL JSON or XML results."""
    if content_type.startswith("application/sparql-results+json"):
        answer: bool = json.loads(body)["boolean"]
        return answer
    found = re.search(rb"<boolean>(true|false)</boolean>", body)
    assert found is not None, body
    return found.group(1) == b"true"


@pytest.fixture(scope="module")
def writable_server() -> Iterator[ServerProcess]:
    """Start a server over the sample data that accepts writes with TOKEN."""
    server = start_server("--no-article", "--data", str(SAMPLE), "--write-token", TOKEN)
    yield server
    server.stop()


@pytest.mark.server
@pytest.mark.parametrize(("name", "steps"), CASES, ids=[name for name, _ in CASES])
def test_w3c_protocol_full(writable_server: ServerProcess, name: str, steps: list[Step]) -> None:
    run_steps(writable_server, steps, TOKEN)


@pytest.mark.server
@pytest.mark.parametrize(("name", "steps"), CASES, ids=[name for name, _ in CASES])
def test_w3c_protocol_read_only(live_server: ServerProcess, name: str, steps: list[Step]) -> None:
    if name.startswith("update_"):
        status, _, body = send(live_server, steps[0])
        assert status == 403, body
        assert b"this server is read-only" in body
        return
    run_steps(live_server, steps)


def run_steps(server: ServerProcess, steps: list[Step], token: str | None = None) -> None:
    """Send each request of a case and check its response as the manifest expects."""
    for step in steps:
        status, content_type, body = send(server, step, token)
        assert status // 100 in step.statuses, body
        media_type = content_type.partition(";")[0]
        if step.format == "tabular":
            assert media_type in SOLUTION_TYPES
        elif step.format == "boolean":
            assert media_type in {
                "application/sparql-results+json",
                "application/sparql-results+xml",
            }
        elif step.format == "RDF":
            assert media_type in RDF_TYPES
        if step.boolean is not None:
            assert boolean_of(content_type, body) is step.boolean
