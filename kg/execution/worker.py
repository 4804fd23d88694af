"""The query worker: a child process that evaluates requests and streams their bytes back.

Evaluation happens here and never in the serving process, because pyoxigraph cannot cancel a
query: the parent enforces a deadline by killing this process. The wire protocol is a sequence
of byte messages on one pipe, each starting with a one-byte tag:

- ``W`` + body: the whole answer, when it fitted in one chunk (the common, small case);
- ``K``: the answer is ready and will follow as ``D`` + chunk messages, then ``Z``;
- ``E`` + JSON ``{"kind", "message"}``: the request failed (before or during streaming);
- ``S``, then ``C`` + JSON result, then ``Z``: a writer began writing, committed, flushed.

The status is therefore known before the first byte reaches the client.
"""

from __future__ import annotations

import json
import math
import re
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO, cast

from pyoxigraph import (
    DefaultGraph,
    NamedNode,
    Quad,
    QueryBoolean,
    QuerySolutions,
    Store,
    parse,
)

from kg.execution.base import DEFAULT_GRAPH, Dataset
from kg.formats import rdf_format, results_format

CHUNK_BYTES = 64 * 1024
"""Bytes gathered before a chunk is sent: large enough to keep messages few, small for latency."""

WHOLE, READY, DATA, END, ERROR = b"W", b"K", b"D", b"Z", b"E"
STARTED, COMMITTED = b"S", b"C"

REFUSED_BY_ENGINE = re.compile(
    r"is not supported|already exists|does not exist|is not a valid service name|"
    r"service name is unbound"
)
"""The engine's RuntimeErrors that the text caused (an unknown function, CREATE GRAPH of a graph
that exists, DROP of one that does not): the client's error, never the server's."""


@dataclass(frozen=True)
class EvaluateQuery:
    """Evaluate a prepared query's final text over its dataset, serialized in a media type.

    ``as_written`` is the client's own text (with the base only): on a syntax error it is
    parsed for the message, which must be about what the client wrote.
    """

    text: str
    media_type: str
    dataset: Dataset
    as_written: str


@dataclass(frozen=True)
class DumpRequest:
    """Serialize one graph (an IRI or DEFAULT_GRAPH) or, with None, the whole dataset."""

    graph: str | None
    media_type: str


@dataclass(frozen=True)
class GraphsRequest:
    """List the named graphs, one IRI per line."""


Request = EvaluateQuery | DumpRequest | GraphsRequest


@dataclass(frozen=True)
class UpdateWrite:
    """Apply a SPARQL Update."""

    text: str


@dataclass(frozen=True)
class GraphWrite:
    """Load RDF into a graph, replacing it or adding to it."""

    graph: str
    data: bytes
    media_type: str
    replace: bool


@dataclass(frozen=True)
class GraphDrop:
    """Remove a named graph, or empty the default graph."""

    graph: str


Write = UpdateWrite | GraphWrite | GraphDrop


def graph_quads(write: GraphWrite) -> list[Quad]:
    """Parse a graph body in full (so a bad body changes nothing), placed in the target graph."""
    target = graph_term(write.graph)
    return [
        Quad(q.subject, q.predicate, q.object, target)
        for q in parse(
            write.data,
            format=rdf_format(write.media_type),
            base_iri=None if write.graph == DEFAULT_GRAPH else write.graph,
            without_named_graphs=True,
        )
    ]


def replacement(write: GraphWrite, quads: list[Quad]) -> str:
    """Return the replacement of a graph's content as one SPARQL Update: one transaction.

    pyoxigraph commits clear_graph and extend separately, and a writer stopped between them
    would leave the graph emptied; an update is atomic as a whole (and slower than extend,
    so it is kept for replacing a graph that exists).
    """
    triples = " .\n".join(f"{q.subject} {q.predicate} {q.object}" for q in quads)
    target = graph_term(write.graph)
    if isinstance(target, DefaultGraph):
        return f"CLEAR DEFAULT ;\nINSERT DATA {{ {triples} }}"
    steps = [f"DROP GRAPH {target}", f"CREATE GRAPH {target}"]
    return " ;\n".join([*steps, f"INSERT DATA {{ GRAPH {target} {{ {triples} }} }}"])


def apply_write(store: Store, write: Write, begin: Callable[[], None] = lambda: None) -> bool:
    """Apply a write in one transaction; return whether a graph was created or existed.

    ``begin`` is called once everything is parsed, just before the engine starts writing: from
    then on the write may be durable before the engine call returns (RocksDB logs it first),
    so a writer must not be stopped any more.
    """
    if isinstance(write, UpdateWrite):
        begin()
        store.update(write.text)
        return True
    target = graph_term(write.graph)
    exists = isinstance(target, DefaultGraph) or store.contains_named_graph(target)
    if isinstance(write, GraphDrop):
        begin()
        if isinstance(target, DefaultGraph):
            store.clear_graph(target)
        elif exists:
            store.remove_graph(target)
        return exists
    quads = graph_quads(write)
    begin()
    if write.replace and exists:
        store.update(replacement(write, quads))
    elif quads:
        # Adding a quad to a graph creates the graph: one transaction does both.
        store.extend(quads)
    elif not exists:
        store.add_graph(target)
    return not exists


LOCK_POLL = 0.02
"""Seconds between tries to open a store whose lock another process (a backup) holds."""


def open_for_writing(path: Path, deadline: float = math.inf) -> Store:
    """Open a store read-write, waiting while another process (``kg backup``) holds its lock.

    The writer process's parent kills it at the write's deadline, so by default it waits until
    then: a write that starts during a backup waits the milliseconds the backup holds the lock
    instead of failing.
    """
    while True:
        try:
            return Store(str(path))
        except OSError as error:
            if "lock" not in str(error).lower() or time.monotonic() >= deadline:
                raise
            time.sleep(LOCK_POLL)


def write_on_disk(conn: Connection, path: Path, write: Write) -> None:
    """Entry point of a writer process: open read-write, parse, write, flush, reporting each step.

    A fresh process, because RocksDB's background threads (which a flush waits for) do not
    survive a fork. It reports ``S`` when the engine starts writing (until then the parent may
    stop it and nothing has changed), ``C`` + JSON result once the write is committed, and
    ``Z`` once it is flushed, so that the next read-only open finds no log to replay.
    """
    reset_signals()
    try:
        store = open_for_writing(path)
        result = apply_write(store, write, lambda: conn.send_bytes(STARTED))
    except (SyntaxError, OSError, ValueError, TypeError, RuntimeError) as error:
        send_error(conn, *describe_error(error))
        conn.close()
        return
    conn.send_bytes(COMMITTED + json.dumps(result).encode())
    try:
        store.flush()
    except OSError as error:
        send_error(conn, "engine", f"the write is committed but not flushed: {error}")
    else:
        conn.send_bytes(END)
    conn.close()


class ChunkWriter:
    """A binary file-like object that sends what pyoxigraph writes as pipe messages."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.buffer = bytearray()
        self.started = False

    def write(self, data: bytes) -> int:
        """Buffer serialized bytes, sending a chunk once enough has gathered."""
        self.buffer += data
        if len(self.buffer) >= CHUNK_BYTES:
            if not self.started:
                self.conn.send_bytes(READY)
                self.started = True
            self.conn.send_bytes(DATA + self.buffer)
            self.buffer.clear()
        return len(data)

    def as_output(self) -> IO[bytes]:
        """Return this writer typed as the binary file pyoxigraph writes into."""
        return cast(IO[bytes], self)

    def flush(self) -> None:
        """Keep bytes until a chunk is full; finish() sends the rest."""

    def finish(self) -> None:
        """Send what is left and mark the end of the answer."""
        if self.started:
            if self.buffer:
                self.conn.send_bytes(DATA + self.buffer)
            self.conn.send_bytes(END)
        else:
            self.conn.send_bytes(WHOLE + self.buffer)
        self.buffer.clear()


def graph_term(graph: str) -> NamedNode | DefaultGraph:
    """Return the pyoxigraph term for a graph selector."""
    return DefaultGraph() if graph == DEFAULT_GRAPH else NamedNode(graph)


def dataset_options(store: Store, dataset: Dataset) -> dict[str, object]:
    """Return the Store.query keyword arguments that select a request's dataset."""
    if dataset.is_union:
        # With no named graphs the union is the default graph itself; reading it directly skips
        # the union's merge of graphs (about 20% of a join or GROUP BY on a million triples).
        if next(iter(store.named_graphs()), None) is None:
            return {}
        return {"use_default_graph_as_union": True}
    return {
        "default_graph": [NamedNode(g) for g in dataset.default_graphs],
        "named_graphs": [NamedNode(g) for g in dataset.named_graphs],
    }


def describe_error(error: Exception) -> tuple[str, str]:
    """Return the kind of a failure (syntax, refused, engine) and its message for the parent."""
    if isinstance(error, SyntaxError):
        return "syntax", str(error)
    if isinstance(error, RuntimeError) and REFUSED_BY_ENGINE.search(str(error)):
        return "refused", str(error)
    return "engine", f"{type(error).__name__}: {error}"


def syntax_error_as_written(request: EvaluateQuery, error: SyntaxError) -> tuple[str, str]:
    """Return the parser's message for the client's own text ("written"), else the final one's.

    The text is parsed against an empty store, so nothing of the data is read.
    """
    try:
        Store().query(request.as_written)
    except SyntaxError as original:
        return str(original), "written"
    return str(error), "final"


def check_syntax(conn: Connection, text: str) -> None:
    """Entry point of a one-off process: send the parser's message for a text, or None.

    The text is parsed against an empty store; the parent kills this process if reading it
    takes long (an engine may start evaluating a text that parses).
    """
    reset_signals()
    try:
        Store().query(text)
    except SyntaxError as error:
        conn.send(str(error))
    else:
        conn.send(None)
    conn.close()


def run_query(store: Store, request: EvaluateQuery, writer: ChunkWriter) -> None:
    """Evaluate a query and serialize its result natively into the writer."""
    result = store.query(request.text, **dataset_options(store, request.dataset))  # type: ignore[arg-type]
    if isinstance(result, QuerySolutions | QueryBoolean):
        result.serialize(output=writer.as_output(), format=results_format(request.media_type))
    else:
        result.serialize(output=writer.as_output(), format=rdf_format(request.media_type))


def run_dump(store: Store, request: DumpRequest, writer: ChunkWriter) -> None:
    """Serialize a graph or the whole dataset into the writer."""
    fmt = rdf_format(request.media_type)
    if request.graph is None:
        store.dump(output=writer.as_output(), format=fmt)
    else:
        store.dump(output=writer.as_output(), format=fmt, from_graph=graph_term(request.graph))


def run_graphs(store: Store, writer: ChunkWriter) -> None:
    """Write the named graph IRIs, one per line."""
    for graph in store.named_graphs():
        if isinstance(graph, NamedNode):
            writer.write(graph.value.encode() + b"\n")


def send_error(conn: Connection, kind: str, message: str, about: str = "final") -> None:
    """Report a failure; the parent raises the matching KgError.

    ``about`` says which text a syntax error's position is in: the final or the written one.
    """
    body = {"kind": kind, "message": message, "about": about}
    conn.send_bytes(ERROR + json.dumps(body).encode())


def handle(store: Store, request: Request, conn: Connection) -> None:
    """Answer one request, reporting what the text caused apart from an engine failure."""
    writer = ChunkWriter(conn)
    try:
        if isinstance(request, EvaluateQuery):
            run_query(store, request, writer)
        elif isinstance(request, DumpRequest):
            run_dump(store, request, writer)
        else:
            run_graphs(store, writer)
    except SyntaxError as error:
        if isinstance(request, EvaluateQuery) and request.as_written != request.text:
            send_error(conn, "syntax", *syntax_error_as_written(request, error))
        else:
            send_error(conn, "syntax", str(error))
        return
    except (OSError, ValueError, TypeError, RuntimeError) as error:
        send_error(conn, *describe_error(error))
        return
    writer.finish()


def open_source(source: Store | Path) -> Store:
    """Return the store a worker reads: inherited by fork, or opened read-only from disk."""
    return source if isinstance(source, Store) else Store.read_only(str(source))


def reset_signals() -> None:
    """Drop the signal handling a forked worker inherits (gunicorn's): SIGTERM must kill it.

    SIGINT is ignored because a Ctrl-C reaches the whole process group; the parent decides.
    """
    signal.set_wakeup_fd(-1)
    for number in (
        signal.SIGTERM,
        signal.SIGHUP,
        signal.SIGQUIT,
        signal.SIGCHLD,
        signal.SIGUSR1,
        signal.SIGUSR2,
        signal.SIGWINCH,
        signal.SIGTTIN,
        signal.SIGTTOU,
    ):
        signal.signal(number, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def serve(conn: Connection, source: Store | Path) -> None:
    """Answer requests from the parent until it closes the pipe or kills this process."""
    reset_signals()
    try:
        store = open_source(source)
    except OSError as error:
        send_error(conn, "engine", f"cannot open the store: {error}")
        return
    conn.send_bytes(READY)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            break
        handle(store, request, conn)
    conn.close()
