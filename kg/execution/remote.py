"""The remote back end: the same interface over any SPARQL 1.1 Protocol store.

The remote store must evaluate its default graph as the union of its named graphs (for example
``oxigraph serve --union-default-graph``), as the embedded store does; the README's "Scaling out"
section gives the setting for each store.
"""

from __future__ import annotations

import base64
import itertools
import threading
import time
from collections.abc import Iterator
from typing import Any

import requests
from pyoxigraph import (
    NamedNode,
    Quad,
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
    DeadlineExceeded,
    KgError,
    NotFound,
    QuerySyntaxError,
    ServiceUnavailable,
)
from kg.execution.base import DEFAULT_GRAPH, Dataset, Outcome, QueryJob
from kg.execution.formats import rdf_format

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


def dataset_params(dataset: Dataset, *, update: bool = False) -> list[tuple[str, str]]:
    """Return the protocol parameters that name a request's dataset."""
    default_name, named_name = (
        ("using-graph-uri", "using-named-graph-uri")
        if update
        else ("default-graph-uri", "named-graph-uri")
    )
    return [(default_name, g) for g in dataset.default_graphs] + [
        (named_name, g) for g in dataset.named_graphs
    ]


def ntriples_lines(data: bytes, media_type: str) -> Iterator[str]:
    """Parse RDF and yield each triple as an N-Triples line (for INSERT DATA)."""
    for quad in parse(data, format=rdf_format(media_type)):
        yield f"{quad.subject} {quad.predicate} {quad.object} ."


class RemoteBackend:
    """Forward queries and writes to a remote SPARQL 1.1 store and stream its answers back."""

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        credentials: str | None = None,
        max_concurrent: int = 4,
        connect_timeout: float = 5.0,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.session = requests.Session()
        self.session.headers.update(auth_headers(credentials))
        self.session.headers["User-Agent"] = f"peru-ecuador-kg/{__version__}"
        self.connect_timeout = connect_timeout
        self._slots = threading.BoundedSemaphore(max_concurrent)
        self._version = 0

    @property
    def version(self) -> int:
        """Return the count of writes made through this app (other writers are not seen)."""
        return self._version

    @property
    def writable(self) -> bool:
        """Tell whether writes can be forwarded (an update URL is known)."""
        return True

    def _post(
        self, url: str, data: Any, *, accept: str | None, timeout: float, stream: bool = False
    ) -> requests.Response:
        """Send one protocol request and map transport and status failures to client errors."""
        headers = {"Accept": accept} if accept else {}
        try:
            response = self.session.post(
                url,
                data=data,
                headers=headers,
                timeout=(self.connect_timeout, timeout),
                stream=stream,
            )
        except requests.Timeout:
            raise DeadlineExceeded(
                f"the remote store did not answer within the {timeout:g} s deadline"
            ) from None
        except requests.ConnectionError as error:
            raise ServiceUnavailable(
                f"the remote store at {url} is unreachable ({type(error).__name__}); retry later",
                headers={"Retry-After": "5"},
            ) from None
        if response.status_code >= 400:
            message = response.text[:2000].strip() or response.reason
            response.close()
            if response.status_code == 400:
                raise QuerySyntaxError(f"the remote store refused the request: {message}")
            if response.status_code == 404:
                raise NotFound(f"the remote store answered 404: {message}")
            raise BadGateway(f"the remote store answered {response.status_code}: {message}")
        return response

    def _stream(self, response: requests.Response, deadline: float) -> Iterator[bytes]:
        """Yield a body in chunks, stopping at the deadline; release the slot at the end."""
        try:
            for chunk in response.iter_content(CHUNK_BYTES):
                if time.monotonic() > deadline:
                    raise DeadlineExceeded("the query ran past its deadline and was stopped")
                yield chunk
        except requests.RequestException as error:
            raise BadGateway(f"the remote store broke off its answer: {error}") from None
        finally:
            response.close()
            self._slots.release()

    def _acquire(self) -> None:
        """Take a concurrency slot or refuse with 503."""
        if not self._slots.acquire(blocking=False):
            raise ServiceUnavailable(
                "the server is answering as many queries as it may; retry shortly",
                headers={"Retry-After": "1"},
            )

    def query(self, job: QueryJob) -> Outcome:
        """Forward a query with the negotiated format and stream the answer."""
        return self._forward(job.text, job.media_type, job.dataset, job.timeout)

    def _forward(self, text: str, media_type: str, dataset: Dataset, timeout: float) -> Outcome:
        """Send a query and return its streamed body."""
        self._acquire()
        deadline = time.monotonic() + timeout
        try:
            response = self._post(
                self.query_url,
                [("query", text), *dataset_params(dataset)],
                accept=media_type,
                timeout=timeout,
                stream=True,
            )
        except KgError:
            self._slots.release()
            raise
        return Outcome(media_type, self._stream(response, deadline))

    def _solutions(self, text: str, timeout: float) -> QuerySolutions:
        """Run a SELECT and parse its JSON answer."""
        outcome = self._forward(text, "application/sparql-results+json", Dataset(), timeout)
        result = parse_query_results(outcome.read_all(), QueryResultsFormat.JSON)
        assert isinstance(result, QuerySolutions)
        return result

    def export(self, graph: str | None, media_type: str, timeout: float) -> Outcome:
        """Serialize one graph (by CONSTRUCT) or the whole dataset (quads by SELECT)."""
        fmt = rdf_format(media_type)
        if graph not in (None, DEFAULT_GRAPH) and not self.has_graph(graph):
            raise NotFound(f"no graph named <{graph}> in the remote store")
        if graph is None or fmt in QUAD_FORMATS:
            return Outcome(media_type, self._quads(graph, fmt, timeout))
        pattern = (
            "{ ?s ?p ?o }" if graph == DEFAULT_GRAPH else f"{{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        )
        return self._forward(
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {pattern}", media_type, Dataset(), timeout
        )

    def _quads(self, graph: str | None, fmt: RdfFormat, timeout: float) -> Iterator[bytes]:
        """Yield a dataset or one graph as quads, serialized natively batch by batch."""
        scope = "" if graph is None or graph == DEFAULT_GRAPH else f"VALUES ?g {{ <{graph}> }}"
        solutions = self._solutions(
            f"SELECT ?g ?s ?p ?o WHERE {{ {scope} GRAPH ?g {{ ?s ?p ?o }} }}", timeout
        )
        quads = (Quad(s["s"], s["p"], s["o"], s["g"]) for s in solutions)
        while batch := list(itertools.islice(quads, BATCH_QUADS)):
            yield serialize(batch, format=fmt) or b""

    def graph_names(self) -> list[str]:
        """List the remote store's named graphs."""
        solutions = self._solutions("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", 30.0)
        return sorted(s["g"].value for s in solutions if isinstance(s["g"], NamedNode))

    def has_graph(self, graph: str) -> bool:
        """Tell whether a named graph exists remotely."""
        if graph == DEFAULT_GRAPH:
            return True
        return graph in self.graph_names()

    def update(self, text: str, dataset: Dataset, timeout: float) -> None:
        """Forward an update; the remote store acknowledges it durably."""
        self._post(
            self.update_url,
            [("update", text), *dataset_params(dataset, update=True)],
            accept=None,
            timeout=timeout,
        ).close()
        self._version += 1

    def put_graph(self, graph: str, data: bytes, media_type: str, *, replace: bool) -> bool:
        """Load RDF into a remote graph with one SPARQL Update (so blank nodes stay whole)."""
        created = not self.has_graph(graph)
        target = "DEFAULT" if graph == DEFAULT_GRAPH else f"GRAPH <{graph}>"
        body = "\n".join(ntriples_lines(data, media_type))
        wrapped = body if graph == DEFAULT_GRAPH else f"GRAPH <{graph}> {{\n{body}\n}}"
        clear = f"CLEAR SILENT {target} ;\n" if replace else ""
        self.update(f"{clear}INSERT DATA {{\n{wrapped}\n}}", Dataset(), 120.0)
        return created

    def drop_graph(self, graph: str) -> bool:
        """Remove a remote graph."""
        if not self.has_graph(graph):
            return False
        target = "DEFAULT" if graph == DEFAULT_GRAPH else f"GRAPH <{graph}>"
        self.update(f"DROP SILENT {target}", Dataset(), 60.0)
        return True

    def close(self) -> None:
        """Close the connection pool."""
        self.session.close()
