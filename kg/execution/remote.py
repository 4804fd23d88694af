"""The remote back end: the same interface over any SPARQL 1.1 Protocol store.

The remote store must evaluate its default graph as the union of its named graphs (for example
``oxigraph serve --union-default-graph``), as the embedded store does; ``check_union`` tells at
start, and the README's "Scaling out" section gives the setting for each store. A store that
cannot do it is served with ``explicit_union``: each query that reads the union names every
graph of the store in its dataset instead.
"""

from __future__ import annotations

import base64
import io
import itertools
import multiprocessing
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests
from pyoxigraph import (
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    parse,
    parse_query_results,
    serialize,
)

from kg import __version__
from kg.errors import (
    BadGateway,
    BadRequest,
    DeadlineExceeded,
    KgError,
    NotFound,
    QuerySyntaxError,
    ServiceUnavailable,
)
from kg.execution.base import (
    DEFAULT_GRAPH,
    Dataset,
    Deadline,
    Outcome,
    PreparedQuery,
    PreparedUpdate,
)
from kg.execution.worker import check_syntax
from kg.formats import rdf_format
from kg.settings import DEFAULTS

CHUNK_BYTES = 64 * 1024
BATCH_QUADS = 5_000
QUAD_FORMATS = {RdfFormat.N_QUADS, RdfFormat.TRIG}


def auth_headers(credentials: str | None) -> dict[str, str]:
    """Turn ``user:password`` or ``Bearer TOKEN`` into an Authorization header."""
    if not credentials:
        return {}
    if credentials.lower().startswith("bearer "):
        return {"Authorization": credentials}
    return {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}


UNION_SWITCHES = (
    "oxigraph serve --union-default-graph; Apache Jena Fuseki (TDB2): tdb2:unionDefaultGraph "
    "true; QLever: the default graph is the union in recent versions"
)
NOT_IN_DEFAULT_GRAPH = (
    "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER NOT EXISTS { ?s ?p ?o } } LIMIT 1"
)
"""A named graph holding a triple the default graph lacks: none when the default is the union."""


def written_syntax_error(text: str, timeout: float) -> str | None:
    """Return the parser's message for the client's own text, read in a killable process.

    The store was sent the prepared text, and a parser's "expected ..." depends on all of it
    (an appended LIMIT lets it read further), so the message a client gets is about what the
    client wrote. None when the text parses or reading it takes longer than timeout.
    """
    context = multiprocessing.get_context("forkserver")
    parent_end, child_end = context.Pipe()
    process = context.Process(
        target=check_syntax, args=(child_end, text), daemon=True, name="kg-syntax-check"
    )
    process.start()
    child_end.close()
    try:
        if parent_end.poll(timeout):
            found: str | None = parent_end.recv()
            return found
        return None
    except EOFError:
        return None
    finally:
        process.kill()
        process.join()
        parent_end.close()


class NotUnion(KgError):
    """The remote store's default graph is not the union of its named graphs."""

    title = "The store's default graph is not the union of its named graphs"


def update_url_for(query_url: str) -> str:
    """Guess a store's update URL from its query URL (``.../query`` -> ``.../update``).

    Oxigraph and Fuseki answer updates at ``/update`` beside ``/query``; Virtuoso and QLever take
    both at one ``/sparql`` URL, so any other URL is its own update URL.
    """
    head, slash, last = query_url.rstrip("/").rpartition("/")
    return f"{head}{slash}update" if last == "query" else query_url


def endpoint_urls(url: str, update_url: str | None = None) -> tuple[str, str]:
    """Return (query URL, update URL) for a store given by its base, query or update URL.

    A URL ending in ``/query`` or ``/sparql`` is the query URL, one ending in ``/update`` the
    update URL beside ``/query``; any other is the base of a store that serves ``/query`` and
    ``/update`` under it (``oxigraph serve``, a Fuseki dataset).

    >>> endpoint_urls("http://h:7878/update")
    ('http://h:7878/query', 'http://h:7878/update')
    """
    trimmed = url.rstrip("/")
    head, _, last = trimmed.rpartition("/")
    if last == "update":
        return head + "/query", update_url or trimmed
    query_url = trimmed if last in ("query", "sparql") else trimmed + "/query"
    return query_url, update_url or update_url_for(query_url)


def dataset_params(dataset: Dataset) -> list[tuple[str, str]]:
    """Return the protocol parameters that name a query's dataset."""
    return [("default-graph-uri", g) for g in dataset.default_graphs] + [
        ("named-graph-uri", g) for g in dataset.named_graphs
    ]


def iri(graph: str) -> str:
    """Write a graph name as a SPARQL IRI, refusing one that is not a valid IRI."""
    try:
        return str(NamedNode(graph))
    except ValueError as error:
        raise BadRequest(f"<{graph}> is not a valid graph IRI: {error}") from None


def ntriples_lines(data: bytes, media_type: str) -> Iterator[str]:
    """Parse RDF and yield each triple as an N-Triples line (for INSERT DATA)."""
    for quad in parse(data, format=rdf_format(media_type)):
        yield f"{quad.subject} {quad.predicate} {quad.object} ."


def close_stream(chunks: Iterator[bytes]) -> None:
    """Close a chunk stream early so its connection and concurrency slot are released."""
    close = getattr(chunks, "close", None)
    if close is not None:
        close()


def transport_reason(error: BaseException) -> str:
    """Name the innermost cause of a transport failure (refused, reset, closed) for a message."""
    cause = error
    while True:
        inner = cause.__cause__ or getattr(cause, "reason", None) or cause.__context__
        if not isinstance(inner, BaseException):
            return type(cause).__name__
        cause = inner


class ChunkReader(io.RawIOBase):
    """A readable file over an iterator of byte chunks, so a parser can consume a stream."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        """Tell io that this file can be read."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill buffer with the next bytes of the stream; 0 at its end."""
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class RemoteStream:
    """A remote answer as an iterator of chunks that stops at its deadline.

    Closing it (or reaching its end, or dropping it) closes the connection and frees the query
    slot exactly once, even when no chunk was ever read.
    """

    def __init__(
        self, response: requests.Response, deadline: float, release: Callable[[], None]
    ) -> None:
        self._response = response
        self._chunks = response.iter_content(CHUNK_BYTES)
        self._deadline = deadline
        self._release: Callable[[], None] | None = release

    def __iter__(self) -> RemoteStream:
        return self

    def __next__(self) -> bytes:
        """Return the next chunk of the answer."""
        if self._release is None:
            raise StopIteration
        if time.monotonic() > self._deadline:
            self.close()
            raise DeadlineExceeded("the query ran past its deadline and was stopped")
        try:
            chunk: bytes = next(self._chunks)
        except StopIteration:
            self.close()
            raise
        except requests.RequestException as error:
            self.close()
            raise BadGateway(
                f"the remote store broke off its answer ({transport_reason(error)})"
            ) from None
        return chunk

    def close(self) -> None:
        """Close the connection and free the query slot (once)."""
        release, self._release = self._release, None
        if release is not None:
            self._response.close()
            release()

    def __del__(self) -> None:
        self.close()


def _renew_session(backend: weakref.ref[RemoteBackend]) -> None:
    """Give a forked process its own connection pool (if the back end still exists)."""
    found = backend()
    if found is not None:
        found.session = found._new_session()


class RemoteBackend:
    """Forward queries and writes to a remote SPARQL 1.1 store and stream its answers back."""

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        credentials: str | None = None,
        max_concurrent: int = DEFAULTS.max_concurrent_queries,
        connect_timeout: float = 5.0,
        explicit_union: bool = False,
    ) -> None:
        self.query_url = query_url
        self.explicit_union = explicit_union
        self._graphs: tuple[int, list[str]] | None = None
        self.update_url = update_url or update_url_for(query_url)
        self._headers = {
            **auth_headers(credentials),
            "User-Agent": f"peru-ecuador-kg/{__version__}",
        }
        self.session = self._new_session()
        self.connect_timeout = connect_timeout
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._version = 0
        # gunicorn forks its workers after the app is built: each must open its own connections,
        # never share a socket with its siblings.
        alive = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _renew_session(alive))

    def _new_session(self) -> requests.Session:
        """Return a connection pool that sends the store's credentials."""
        session = requests.Session()
        session.headers.update(self._headers)
        return session

    @property
    def version(self) -> int:
        """Return the count of writes made through this app (other writers are not seen)."""
        return self._version

    @property
    def writable(self) -> bool:
        """Tell whether writes can be forwarded (an update URL is known)."""
        return True

    def _post(
        self,
        url: str,
        data: Any,
        *,
        accept: str | None,
        timeout: float | Deadline,
        stream: bool = False,
        explain: Callable[[str], str] = str,
    ) -> requests.Response:
        """Send one protocol request and map transport and status failures to client errors."""
        headers = {"Accept": accept} if accept else {}
        deadline = timeout if isinstance(timeout, Deadline) else Deadline.after(timeout)
        try:
            response = self.session.post(
                url,
                data=data,
                headers=headers,
                timeout=(self.connect_timeout, max(deadline.remaining(), 0.001)),
                stream=stream,
            )
        except requests.Timeout:
            raise DeadlineExceeded(
                f"the remote store did not answer within the {deadline.seconds:g} s deadline"
            ) from None
        except requests.ConnectionError as error:
            raise ServiceUnavailable(
                f"the remote store at {url} is unreachable or broke off the connection "
                f"({transport_reason(error)}); retry later",
                headers={"Retry-After": "5"},
            ) from None
        if response.status_code >= 400:
            message = response.text[:2000].strip() or response.reason
            response.close()
            if response.status_code == 400:
                raise QuerySyntaxError(f"the remote store refused the request: {explain(message)}")
            # Any other refusal (404 included: a wrong --store-url) is the store's fault, not
            # the client's, so it is a 502 naming the URL.
            raise BadGateway(
                f"the remote store at {url} answered {response.status_code}: {message}"
            )
        return response

    def _acquire(self) -> None:
        """Take a concurrency slot or refuse with 503."""
        if not self._slots.acquire(blocking=False):
            raise ServiceUnavailable(
                "the server is answering as many queries as it may; retry shortly",
                headers={"Retry-After": "1"},
            )

    def query(self, prepared: PreparedQuery, media_type: str, deadline: Deadline) -> Outcome:
        """Forward a prepared query with the negotiated format and stream the answer.

        Its live SERVICE clauses are answered once a query slot is held.
        """
        answered: list[PreparedQuery] = []

        def made() -> tuple[str, Dataset]:
            answered.append(prepared.answered(deadline))
            return answered[0].text, self._dataset(answered[0].dataset)

        try:
            return self._forward(made, media_type, deadline, lambda m: answered[0].explain(m))
        except QuerySyntaxError:
            written = prepared.as_written()
            message = written_syntax_error(written.text, min(deadline.remaining(), 2.0))
            if message is None:
                raise
            raise QuerySyntaxError(
                f"the remote store refused the request: {written.explain(message)}"
            ) from None

    def _dataset(self, dataset: Dataset) -> Dataset:
        """Return the dataset to send: the union made explicit for a store that lacks it."""
        if not (self.explicit_union and dataset.is_union):
            return dataset
        if self._graphs is None or self._graphs[0] != self._version:
            self._graphs = (self._version, self.graph_names())
        names = tuple(self._graphs[1])
        return Dataset(names, names)

    def _forward(
        self,
        query: str | Callable[[], tuple[str, Dataset]],
        media_type: str,
        deadline: Deadline,
        explain: Callable[[str], str] = str,
    ) -> Outcome:
        """Send a query (or, once a slot is held, the one a function makes) and stream its body."""
        self._acquire()
        try:
            text, dataset = query() if callable(query) else (query, Dataset())
            response = self._post(
                self.query_url,
                [("query", text), *dataset_params(dataset)],
                accept=media_type,
                timeout=deadline,
                stream=True,
                explain=explain,
            )
        except BaseException:
            self._slots.release()
            raise
        return Outcome(media_type, RemoteStream(response, deadline.at, self._slots.release))

    def check_union(self, timeout: float = 60.0) -> None:
        """Refuse a store whose default graph lacks a triple of one of its named graphs."""
        if self.explicit_union:
            return
        with self._solutions(NOT_IN_DEFAULT_GRAPH, timeout) as solutions:
            found = [s["g"] for s in solutions]
        if found:
            raise NotUnion(
                f"the store at {self.query_url} does not see the triples of its named graph "
                f"{found[0]} in its default graph, so its default graph is not the union of its "
                f"named graphs, which every query and page here relies on. Turn on the store's "
                f"union default graph ({UNION_SWITCHES}), or start kg serve with "
                "--explicit-union to name every graph in each query instead"
            )

    @contextmanager
    def _solutions(self, text: str, timeout: float) -> Iterator[QuerySolutions]:
        """Run a SELECT and parse its JSON answer as it streams in; close it on exit."""
        outcome = self._forward(text, "application/sparql-results+json", Deadline.after(timeout))
        try:
            reader = io.BufferedReader(ChunkReader(outcome.chunks), CHUNK_BYTES)
            result = parse_query_results(reader, QueryResultsFormat.JSON)
            assert isinstance(result, QuerySolutions)
            yield result
        finally:
            close_stream(outcome.chunks)

    def export(self, graph: str | None, media_type: str, timeout: float) -> Outcome:
        """Serialize one graph (by CONSTRUCT) or the whole dataset (quads by SELECT)."""
        fmt = rdf_format(media_type)
        if graph not in (None, DEFAULT_GRAPH) and not self.has_graph(graph):
            raise NotFound(f"no graph named <{graph}> in the remote store")
        if graph is None or fmt in QUAD_FORMATS:
            return Outcome(media_type, self._quads(graph, fmt, timeout))
        pattern = (
            "{ ?s ?p ?o }" if graph == DEFAULT_GRAPH else f"{{ GRAPH {iri(graph)} {{ ?s ?p ?o }} }}"
        )
        return self._forward(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {pattern}", media_type, Deadline.after(timeout)
        )

    def _quads(self, graph: str | None, fmt: RdfFormat, timeout: float) -> Iterator[bytes]:
        """Yield a dataset or one graph as quads, serialized natively batch by batch."""
        scope = "" if graph is None or graph == DEFAULT_GRAPH else f"VALUES ?g {{ {iri(graph)} }}"
        text = f"SELECT ?g ?s ?p ?o WHERE {{ {scope} GRAPH ?g {{ ?s ?p ?o }} }}"
        with self._solutions(text, timeout) as solutions:
            quads = (Quad(s["s"], s["p"], s["o"], s["g"]) for s in solutions)
            while batch := list(itertools.islice(quads, BATCH_QUADS)):
                yield serialize(batch, format=fmt) or b""

    def graph_names(self) -> list[str]:
        """List the remote store's named graphs."""
        with self._solutions("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", 30.0) as solutions:
            return sorted(s["g"].value for s in solutions if isinstance(s["g"], NamedNode))

    def has_graph(self, graph: str) -> bool:
        """Tell whether a named graph exists remotely."""
        if graph == DEFAULT_GRAPH:
            return True
        outcome = self._forward(
            f"ASK {{ GRAPH {iri(graph)} {{ }} }}",
            "application/sparql-results+json",
            Deadline.after(30.0),
        )
        answer = parse_query_results(outcome.read_all(), QueryResultsFormat.JSON)
        return isinstance(answer, QueryBoolean) and bool(answer)

    def update(self, prepared: PreparedUpdate, timeout: float) -> None:
        """Forward a prepared update; the remote store acknowledges it durably."""
        self._update(prepared.text, timeout, prepared.explain)

    def _update(self, text: str, timeout: float, explain: Callable[[str], str] = str) -> None:
        """Send an update text and count the write."""
        self._post(
            self.update_url, [("update", text)], accept=None, timeout=timeout, explain=explain
        ).close()
        self._version += 1

    def put_graph(self, graph: str, data: bytes, media_type: str, *, replace: bool) -> bool:
        """Load RDF into a remote graph with one SPARQL Update (so blank nodes stay whole)."""
        created = not self.has_graph(graph)
        target = "DEFAULT" if graph == DEFAULT_GRAPH else f"GRAPH {iri(graph)}"
        body = "\n".join(ntriples_lines(data, media_type))
        wrapped = body if graph == DEFAULT_GRAPH else f"GRAPH {iri(graph)} {{\n{body}\n}}"
        clear = f"CLEAR SILENT {target} ;\n" if replace else ""
        self._update(f"{clear}INSERT DATA {{\n{wrapped}\n}}", 120.0)
        return created

    def drop_graph(self, graph: str) -> bool:
        """Remove a remote graph."""
        if not self.has_graph(graph):
            return False
        target = "DEFAULT" if graph == DEFAULT_GRAPH else f"GRAPH {iri(graph)}"
        self._update(f"DROP SILENT {target}", 60.0)
        return True

    def close(self) -> None:
        """Close the connection pool."""
        self.session.close()
