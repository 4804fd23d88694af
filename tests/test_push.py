"""Pushes into every tested store: its Graph Store endpoint where it has one, else batched updates.

Each store is a real server (``oxigraph serve``, Virtuoso 7.2); what it holds afterwards is read
back through the app's remote back end and compared with the build.
"""

from __future__ import annotations

import doctest
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
import requests
from pyoxigraph import Dataset, Literal, NamedNode, Quad, RdfFormat, Store, parse
from support.datasets import canonical, without_build_time
from support.oxigraph import OxigraphServer, kg_build_into
from support.server import start_server
from support.virtuoso import VirtuosoServer

import kg.execution.graph_store
import kg.execution.store_auth
import kg.execution.update_batches
from kg.errors import KgError
from kg.execution.graph_writer import WriteOptions
from kg.execution.push import push_store
from kg.execution.remote import RemoteBackend
from kg.execution.store_auth import BearerAuth, store_auth
from kg.execution.update_batches import BatchLimits, batches
from kg.graph.build import open_store

pytestmark = pytest.mark.server

EX = "http://example.org/big/"
XSD_DECIMAL = NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
XSD_INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")
MEGABYTES = 50


@dataclass
class Target:
    """A store to push into: what a user passes to --into, and where it answers."""

    name: str
    url: str
    query_url: str
    graph_store_url: str
    update_url: str


@pytest.fixture(params=["oxigraph", "virtuoso"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Target]:
    """Return an empty store of each tested kind (Virtuoso is shared, and emptied after)."""
    if request.param == "oxigraph":
        oxigraph = OxigraphServer(tmp_path / "oxigraph").start()
        yield Target(
            "oxigraph",
            oxigraph.url,
            oxigraph.query_url,
            oxigraph.url + "/store",
            oxigraph.update_url,
        )
        oxigraph.stop()
        return
    virtuoso: VirtuosoServer = request.getfixturevalue("virtuoso")
    url = virtuoso.sparql_url
    yield Target("virtuoso", url, url, virtuoso.url + "/sparql-graph-crud", url)
    virtuoso.drop_all()


def held(target: Target) -> Dataset:
    """Return what a store holds (read through the app), build time aside, blank nodes canonical."""
    remote = RemoteBackend(target.query_url)
    try:
        body = remote.export(None, "application/n-quads", 120).read_all()
    finally:
        remote.close()
    return canonical(without_build_time(parse(body, format=RdfFormat.N_QUADS)))


@pytest.mark.parametrize(
    "module", [kg.execution.update_batches, kg.execution.graph_store, kg.execution.store_auth]
)
def test_docstring_examples(module: ModuleType) -> None:
    assert doctest.testmod(module).failed == 0


def test_batches_keep_every_blank_node_in_one_request() -> None:
    chain = "".join(f"_:n{i} <http://x/next> _:n{i + 1} .\n" for i in range(5))
    loose = "".join(f"<http://x/s{i}> <http://x/p> <http://x/o{i}> .\n" for i in range(10))
    found = list(batches((loose + chain).encode(), "application/n-triples", BatchLimits(3)))
    with_nodes = [batch for batch in found if any("_:" in line for line in batch)]
    assert len(with_nodes) == 1
    assert len(with_nodes[0]) == 5
    assert sorted(len(batch) for batch in found if batch not in with_nodes) == [1, 3, 3, 3]


def test_batches_stop_at_the_byte_limit() -> None:
    data = "".join(f'<http://x/s{i}> <http://x/p> "{"x" * 100}" .\n' for i in range(10))
    found = list(batches(data.encode(), "application/n-triples", BatchLimits(1000, 300)))
    assert [len(batch) for batch in found] == [2, 2, 2, 2, 2]


@pytest.mark.parametrize("via", ["auto", "graph-store", "update"])
def test_push_leaves_the_built_dataset_in_the_store(target: Target, via: str) -> None:
    built = open_store()
    graphs = sum(1 for _ in built.named_graphs())
    done = kg_build_into(target.url, "--push-via", via)
    method = (
        f"SPARQL Update at {target.update_url}"
        if via == "update"
        else f"the Graph Store Protocol at {target.graph_store_url}"
    )
    assert re.fullmatch(
        rf"pushed {len(built)} triples in {graphs} graphs to {re.escape(target.query_url)} "
        rf"through {re.escape(method)} in [\d.]+ s \([\d,]+ triples/s\); "
        rf"it now holds {len(built)} quads in named graphs",
        done.stdout.splitlines()[-1],
    )
    expected = without_build_time(built)
    if (target.name, via) == ("virtuoso", "update"):
        expected = integral_decimals_as_integers(expected)
    assert held(target) == canonical(expected)


def test_a_graph_store_url_given_is_used(target: Target) -> None:
    done = kg_build_into(target.url, "--gsp-url", target.graph_store_url)
    assert f"through the Graph Store Protocol at {target.graph_store_url} in " in done.stdout


def test_no_graph_store_where_one_is_required_says_what_to_do(tmp_path: Path) -> None:
    oxigraph = OxigraphServer(tmp_path / "oxigraph").start()
    try:
        with pytest.raises(RuntimeError) as refused:
            elsewhere = ("--update-url", oxigraph.url + "/elsewhere")
            kg_build_into(oxigraph.url, *elsewhere, "--push-via", "graph-store")
    finally:
        oxigraph.stop()
    assert (
        f"no Graph Store endpoint answers beside {oxigraph.url}/elsewhere; give its URL with "
        "--gsp-url, or push with --push-via update"
    ) in str(refused.value)


def integral_decimals_as_integers(quads: Iterable[Quad]) -> list[Quad]:
    """Return the quads as Virtuoso keeps them after SPARQL Update (README, Scaling out).

    Its SPARQL compiler turns an xsd:decimal literal with no fraction into xsd:integer; its
    Graph Store loader keeps the datatype, which is one reason pushes use it where they can.
    """
    kept = []
    for quad in quads:
        term = quad.object
        if isinstance(term, Literal) and term.datatype == XSD_DECIMAL and "." not in term.value:
            term = Literal(term.value, datatype=XSD_INTEGER)
        kept.append(Quad(quad.subject, quad.predicate, term, quad.graph_name))
    return kept


def big_graph(megabytes: int) -> tuple[Store, int]:
    """Return a store with one graph of at least this many megabytes of N-Triples, and its size.

    One subject in a hundred carries a chain of three blank nodes, to show they stay whole.
    """
    lines = []
    size = 0
    index = 0
    while size < megabytes * 1_000_000:
        line = f'<{EX}s{index}> <{EX}label> "item {index} of the large test graph"@en .\n'
        if index % 100 == 0:
            line += (
                f"<{EX}s{index}> <{EX}link> _:a{index} .\n_:a{index} <{EX}link> _:b{index} .\n"
                f'_:b{index} <{EX}link> _:c{index} .\n_:c{index} <{EX}value> "{index}" .\n'
            )
        lines.append(line)
        size += len(line.encode())
        index += 1
    store = Store()
    store.load("".join(lines).encode(), format=RdfFormat.N_TRIPLES, to_graph=NamedNode(EX))
    return store, size


def count(target: Target, pattern: str) -> int:
    """Ask the store itself how many solutions a graph pattern has."""
    answer = requests.post(
        target.query_url,
        data={"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{EX}> {{ {pattern} }} }}"},
        headers={"Accept": "text/csv"},
        timeout=300,
    )
    answer.raise_for_status()
    return int(answer.text.split()[-1])


def test_a_50_mb_graph_pushes_whole(target: Target) -> None:
    store, size = big_graph(MEGABYTES)
    assert size >= MEGABYTES * 1_000_000
    remote = RemoteBackend(target.query_url, writes=WriteOptions())
    try:
        assert push_store(store, remote) == {EX: len(store)}
        assert remote.writer.describe() == f"the Graph Store Protocol at {target.graph_store_url}"
    finally:
        remote.close()
    assert count(target, "?s ?p ?o") == len(store)
    chains = f"?s <{EX}link> ?a . ?a <{EX}link> ?b . ?b <{EX}link> ?c . ?c <{EX}value> ?v"
    values = store.quads_for_pattern(None, NamedNode(EX + "value"), None)
    assert count(target, chains) == sum(1 for _ in values)


def graph_of(triples: int) -> Store:
    """Return a store with one graph of this many triples, a third of them on blank nodes."""
    lines = "".join(
        f'<{EX}s{i}> <{EX}p> _:b{i} .\n_:b{i} <{EX}q> "{i}" .\n<{EX}s{i}> <{EX}r> "{i}" .\n'
        for i in range(triples // 3)
    )
    store = Store()
    store.load(lines.encode(), format=RdfFormat.N_TRIPLES, to_graph=NamedNode(EX))
    return store


def test_updates_are_split_where_one_would_be_refused(virtuoso: VirtuosoServer) -> None:
    # Virtuoso 7.2 cannot compile one update of 3,000 triples; its own words reach the user,
    # and batches of the default size go through.
    store = graph_of(3_000)
    whole = WriteOptions(via="update", limits=BatchLimits(max_triples=5_000))
    remote = RemoteBackend(virtuoso.sparql_url, writes=whole)
    try:
        with pytest.raises(KgError) as refused:
            push_store(store, remote)
    finally:
        remote.close()
    assert refused.value.message.startswith(
        f"the remote store at {virtuoso.sparql_url} refused the request: Virtuoso 37000 Error "
    )
    assert "SPARQL query:" in refused.value.message
    remote = RemoteBackend(virtuoso.sparql_url, writes=WriteOptions(via="update"))
    target = Target("virtuoso", virtuoso.sparql_url, virtuoso.sparql_url, "", "")
    try:
        assert push_store(store, remote) == {EX: 3_000}
        assert count(target, f"?s <{EX}p> ?b . ?b <{EX}q> ?n") == 1_000
    finally:
        remote.close()
        virtuoso.drop_all()


def test_push_waits_for_a_store_that_is_starting(tmp_path: Path) -> None:
    oxigraph = OxigraphServer(tmp_path / "oxigraph")
    command = [sys.executable, "-c", "from kg.cli import main; main()", "build"]
    push = subprocess.Popen(
        [*command, "--into", oxigraph.url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert push.stderr is not None
        # The store starts only once the push has found it down and said it will retry.
        first_retry = push.stderr.readline()
        oxigraph.start()
        out, rest = push.communicate(timeout=120)
    finally:
        push.kill()
        oxigraph.stop()
    assert first_retry == (
        f"retrying in 1 s: the remote store at {oxigraph.url}/store is unreachable or broke off "
        "the connection (ConnectionRefusedError)\n"
    )
    assert push.returncode == 0, rest
    assert out.splitlines()[-1].endswith(f"it now holds {len(open_store())} quads in named graphs")


WRITER_SQL = """
DB.DBA.USER_CREATE ('kg', 'k3y');
GRANT SPARQL_UPDATE TO "kg";
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('kg', 7, 0);
"""
"""The README's statements for a Virtuoso user that may write (and read no private graph)."""


def test_digest_authentication_reaches_virtuosos_protected_endpoints(
    virtuoso: VirtuosoServer,
) -> None:
    virtuoso.isql(WRITER_SQL)
    auth = ("--update-url", virtuoso.sparql_auth_url, "--store-auth")
    done = kg_build_into(virtuoso.sparql_url, *auth, "Digest kg:k3y")
    assert f"through the Graph Store Protocol at {virtuoso.url}/sparql-graph-crud-auth" in (
        done.stdout
    )
    virtuoso.drop_all()
    with pytest.raises(RuntimeError) as refused:
        kg_build_into(virtuoso.sparql_url, *auth, "Digest kg:wrong")
    assert (
        f"the remote store at {virtuoso.url}/sparql-graph-crud-auth answered 401: Unauthorized"
    ) in str(refused.value)


PRIVATE_GRAPHS = "'http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs'"
LDP = "http://www.w3.org/ns/ldp#"


def test_virtuoso_passes_the_union_check_with_its_own_graphs_readable(
    virtuoso: VirtuosoServer,
) -> None:
    # Virtuoso's default graph is every graph the reader may see, its own (LDP's terms here)
    # included once they are readable, so kg serve's check finds it the union either way.
    kg_build_into(virtuoso.sparql_url)
    remote = RemoteBackend(virtuoso.sparql_url)
    try:
        remote.check_union()
        virtuoso.isql(f"DB.DBA.RDF_GRAPH_GROUP_DEL ({PRIVATE_GRAPHS}, '{LDP}');")
        assert LDP in remote.graph_names()
        remote.check_union()
    finally:
        virtuoso.isql(f"DB.DBA.RDF_GRAPH_GROUP_INS ({PRIVATE_GRAPHS}, '{LDP}');")
        remote.close()
        virtuoso.drop_all()


def test_bearer_token_pushes_into_another_kg_server(tmp_path: Path) -> None:
    server = start_server("--no-article", "--write-token", "s3cret")
    try:
        done = kg_build_into(server.sparql, "--store-auth", "Bearer s3cret")
        assert f"through the Graph Store Protocol at {server.url}/store" in done.stdout
        with pytest.raises(RuntimeError) as refused:
            kg_build_into(server.sparql, "--store-auth", "Bearer wrong")
    finally:
        server.stop()
    assert f"the remote store at {server.url}/store answered 403: " in str(refused.value)


@pytest.mark.parametrize(
    ("credentials", "header"),
    [
        ("kg:pw", "Basic a2c6cHc="),
        ("Basic kg:pw", "Basic a2c6cHc="),
        ("Bearer abc", "Bearer abc"),
    ],
)
def test_credentials_become_the_authorization_header(credentials: str, header: str) -> None:
    auth = store_auth(credentials)
    prepared = requests.Request("GET", "http://h/sparql", auth=auth).prepare()
    assert prepared.headers["Authorization"] == header


def test_digest_credentials_wait_for_the_challenge() -> None:
    auth = store_auth("Digest kg:pw")
    assert isinstance(auth, requests.auth.HTTPDigestAuth)
    assert "Authorization" not in requests.Request("GET", "http://h/", auth=auth).prepare().headers
    assert store_auth("Bearer abc") == BearerAuth("abc")


@pytest.mark.parametrize("credentials", ["Digest nocolon", "Bearer ", "Basic :pw"])
def test_unusable_credentials_are_refused(credentials: str) -> None:
    with pytest.raises(KgError, match="--store-auth"):
        store_auth(credentials)
