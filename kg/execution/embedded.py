"""The embedded back end: a pyoxigraph store, queried by worker processes under a deadline.

Two arrangements, one interface:

- in memory: this process holds the Store and forks workers, which see its data copy-on-write;
  this process never evaluates a query itself, it only applies writes;
- on disk (``path``): this process never opens the store; workers are forked from it and open
  the store read-only (a fork server would run the serving script again in every worker: about
  50 MiB more per worker and 100 ms more per start, measured). A read-only open while another
  process writes is undefined behaviour in pyoxigraph, so a write is exclusive: stop every
  reader, open read-write, write, flush, close, then readers restart. Only one serving process
  may accept writes to a store directory.
"""

from __future__ import annotations

import json
import logging
import math
import multiprocessing
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from pyoxigraph import NamedNode, Store

from kg.errors import (
    BadRequest,
    DeadlineExceeded,
    EngineError,
    Forbidden,
    KgError,
    NotFound,
    QueryRefused,
    QuerySyntaxError,
)
from kg.execution.base import (
    DEFAULT_GRAPH,
    Deadline,
    Outcome,
    Prepared,
    PreparedQuery,
    PreparedUpdate,
)
from kg.execution.pool import Worker, WorkerPool
from kg.execution.worker import (
    DATA,
    END,
    ERROR,
    READY,
    WHOLE,
    DumpRequest,
    EvaluateQuery,
    GraphDrop,
    GraphsRequest,
    GraphWrite,
    Request,
    UpdateWrite,
    Write,
    apply_write,
    describe_error,
    graph_quads,
    write_on_disk,
)
from kg.formats import rdf_format
from kg.settings import DEFAULTS, Settings

log = logging.getLogger(__name__)

SETTLE_TIMEOUT = 300.0
"""Seconds a write that has begun may take to commit, then to flush, before it is stopped."""


def worker_error(message: bytes, prepared: Prepared | None = None) -> KgError:
    """Turn a worker's error message into the error the client sees.

    A syntax error's position is mapped back into the client's own text.
    """
    detail = json.loads(message[1:])
    explain: Callable[[str], str] = str
    if prepared is not None:
        source = prepared.as_written() if detail.get("about") == "written" else prepared
        explain = source.explain
    return client_error(detail["kind"], detail["message"], explain)


def client_error(kind: str, message: str, explain: Callable[[str], str] = str) -> KgError:
    """Return the error for a failure of one kind: the text's (4xx) or the engine's (500)."""
    if kind == "syntax":
        return QuerySyntaxError(explain(message))
    if kind == "refused":
        return QueryRefused(message)
    return EngineError(message)


class Stream(Iterator[bytes]):
    """The chunks of an answer being produced by a worker; closing it kills the work."""

    def __init__(self, pool: WorkerPool, worker: Worker, deadline: Deadline) -> None:
        self.pool = pool
        self.worker: Worker | None = worker
        self.deadline = deadline

    def __next__(self) -> bytes:
        """Return the next chunk; past the deadline, kill the worker and abort the stream."""
        if self.worker is None:
            raise StopIteration
        try:
            message = self.worker.receive(self.deadline.at)
        except EngineError:
            self.close()
            raise
        if message is None:
            self.close()
            raise DeadlineExceeded(f"the query ran past its {self.deadline.seconds:g} s deadline")
        tag = message[:1]
        if tag == DATA:
            return message[1:]
        self.pool.release(self.worker)
        self.worker = None
        if tag == ERROR:
            raise worker_error(message)
        raise StopIteration

    def close(self) -> None:
        """Stop the work of an answer the client no longer reads."""
        if self.worker is not None:
            self.pool.discard(self.worker)
            self.worker = None

    def __del__(self) -> None:
        self.close()


class EmbeddedBackend:
    """Serve a pyoxigraph store, in memory or on disk, through killable worker processes."""

    def __init__(
        self,
        store: Store | None = None,
        *,
        path: Path | None = None,
        writable: bool = False,
        query_processes: int = DEFAULTS.max_concurrent_queries,
        queue_wait: float | None = None,
        max_queued: int = DEFAULTS.max_queued_queries,
        drain_timeout: float = DEFAULTS.query_timeout,
        client_slots: int | None = None,
        memory_budget: int | None = None,
    ) -> None:
        if (store is None) == (path is None):
            raise ValueError("give either an in-memory store or a store path")
        self.store = store
        self.path = path
        self.drain_timeout = drain_timeout
        self._writable = writable
        self._version = 0
        self._write_lock = threading.Lock()
        self._store_lock = threading.Lock()
        self._graphs: frozenset[str] | None = None
        self.pool = WorkerPool(
            query_processes,
            self._source,
            start_method="fork",
            replace_in_background=store is None,
            fork_guard=lambda: self._store_lock,
            queue_wait=queue_wait,
            max_queued=max_queued,
            client_slots=client_slots,
            memory_budget=memory_budget,
        )

    @classmethod
    def from_settings(
        cls, settings: Settings, store: Store | None = None, *, path: Path | None = None
    ) -> EmbeddedBackend:
        """Return the back end the server's settings describe over a store or a store path."""
        share = max(1, math.ceil(settings.max_concurrent_queries * settings.client_share))
        budget = settings.query_memory_mb * 1024 * 1024 if settings.query_memory_mb else None
        return cls(
            store,
            path=path,
            writable=settings.write_token is not None,
            query_processes=settings.max_concurrent_queries,
            max_queued=settings.max_queued_queries,
            drain_timeout=settings.query_timeout,
            client_slots=share,
            memory_budget=budget,
        )

    def _source(self) -> Store | Path:
        """Return what a new worker reads from."""
        found = self.store if self.store is not None else self.path
        assert found is not None
        return found

    @property
    def version(self) -> int:
        """Return the write counter."""
        return self._version

    @property
    def writable(self) -> bool:
        """Tell whether writes are enabled."""
        return self._writable

    def _run(
        self, request: Request | Callable[[], tuple[Request, Prepared]], deadline: Deadline
    ) -> tuple[bytes, Stream | None]:
        """Send a request to a worker; return a whole body or a stream, with the status known.

        A request given as a function is made once the worker is borrowed (a query's live
        SERVICE clauses are answered then, inside the concurrency limit), with the prepared
        text its errors are explained against. It waits for a worker within its deadline.
        """
        worker = self.pool.borrow(deadline.remaining())
        prepared: Prepared | None = None
        try:
            made, prepared = request() if callable(request) else (request, None)
        except BaseException:
            self.pool.release(worker)
            raise
        try:
            worker.conn.send(made)
            first = worker.receive(deadline.at)
        except BaseException:
            self.pool.discard(worker)
            raise
        if first is None:
            self.pool.discard(worker)
            raise DeadlineExceeded(
                f"the query ran past its {deadline.seconds:g} s deadline and was stopped; "
                "simplify it, add a LIMIT, or ask for a longer timeout (up to the server's)"
            )
        tag = first[:1]
        if tag == READY:
            return b"", Stream(self.pool, worker, deadline)
        self.pool.release(worker)
        if tag == WHOLE:
            return first[1:], None
        raise worker_error(first, prepared)

    def _outcome(
        self,
        request: Request | Callable[[], tuple[Request, Prepared]],
        media_type: str,
        deadline: Deadline,
    ) -> Outcome:
        """Run a request and wrap its answer as an Outcome."""
        body, stream = self._run(request, deadline)
        return Outcome.whole(media_type, body) if stream is None else Outcome(media_type, stream)

    def query(self, prepared: PreparedQuery, media_type: str, deadline: Deadline) -> Outcome:
        """Run a prepared query in a worker under its deadline and stream the result."""

        def evaluate() -> tuple[Request, Prepared]:
            ready = prepared.answered(deadline)
            written = ready.as_written().text
            return EvaluateQuery(ready.text, media_type, ready.dataset, written), ready

        return self._outcome(evaluate, media_type, deadline)

    def export(self, graph: str | None, media_type: str, timeout: float) -> Outcome:
        """Serialize a graph or the whole dataset in a worker."""
        rdf_format(media_type)
        if graph is not None and not self.has_graph(graph):
            raise NotFound(f"no graph named <{graph}> in this store")
        return self._outcome(DumpRequest(graph, media_type), media_type, Deadline.after(timeout))

    def graph_names(self) -> list[str]:
        """List named graphs."""
        if self._graphs is None:
            if self.store is not None:
                with self._store_lock:
                    names = [g.value for g in self.store.named_graphs() if isinstance(g, NamedNode)]
            else:
                body, stream = self._run(GraphsRequest(), Deadline.after(60.0))
                listing = body if stream is None else b"".join(stream)
                names = listing.decode().split()
            self._graphs = frozenset(names)
        return sorted(self._graphs)

    def has_graph(self, graph: str) -> bool:
        """Tell whether a graph exists."""
        return graph == DEFAULT_GRAPH or graph in self.graph_names()

    def _write(self, write: Write, timeout: float) -> bool:
        """Apply a write exclusively and durably, then retire the workers holding old data."""
        if not self._writable:
            raise Forbidden("this store is read-only")
        with self._write_lock:
            if self.store is not None:
                with self._store_lock:
                    try:
                        result = apply_write(self.store, write)
                    except (SyntaxError, OSError, ValueError, TypeError, RuntimeError) as error:
                        raise client_error(*describe_error(error)) from None
                self.pool.retire()
            else:
                self.pool.pause(self.drain_timeout)
                try:
                    result = self._write_on_disk(write, timeout)
                finally:
                    self.pool.resume()
            self._version += 1
            self._graphs = None
            return result

    def _write_on_disk(self, write: Write, timeout: float) -> bool:
        """Run a write in a fresh writer process; the deadline stops it only before it writes.

        The writer comes from a fork server, not from this process: a process forked from one
        that ever opened a store read-write (as ``kg serve`` does to build it) lacks RocksDB's
        background threads, and a flush there waits for them forever.

        RocksDB logs a transaction before the engine call returns, so a writer stopped while
        writing may have committed: once the writer says it has begun, it is let finish (up
        to SETTLE_TIMEOUT) and acknowledged after its flush, whatever the clock says.
        """
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["kg.execution.worker", "kg.execution.pool"])
        parent_end, child_end = context.Pipe()
        process = context.Process(
            target=write_on_disk, args=(child_end, self.path, write), name="kg-writer"
        )
        process.start()
        child_end.close()
        writer = Worker(process, parent_end, self.pool.generation)
        try:
            begun = writer.receive(Deadline.after(timeout).at)
            if begun is None:
                raise DeadlineExceeded(
                    f"the write ran past its {timeout:g} s deadline and was stopped before it "
                    "began to change the store; nothing changed"
                )
            if begun[:1] == ERROR:
                raise worker_error(begun)
            answer = self._finish(writer)
            if not self._settle(writer):
                log.warning("a committed write was not flushed; the next start flushes it")
        finally:
            writer.kill()
        return bool(json.loads(answer[1:]))

    def _finish(self, writer: Worker) -> bytes:
        """Wait for a write that has begun to commit; return the writer's commit message."""
        unknown = (
            "the write began but its process stopped before it said whether it committed; "
            "the store holds all of it or none of it: check before writing again"
        )
        try:
            answer = writer.receive(Deadline.after(SETTLE_TIMEOUT).at)
        except EngineError:
            raise EngineError(unknown) from None
        if answer is None:
            raise EngineError(f"{unknown} (stopped after {SETTLE_TIMEOUT:g} s)")
        if answer[:1] == ERROR:
            raise worker_error(answer)
        return answer

    def _settle(self, writer: Worker) -> bool:
        """Wait for a committed write's flush; tell whether it finished."""
        try:
            return writer.receive(Deadline.after(SETTLE_TIMEOUT).at) == END
        except EngineError:
            return False

    def update(self, prepared: PreparedUpdate, timeout: float) -> None:
        """Apply a prepared SPARQL Update durably before returning."""
        try:
            self._write(UpdateWrite(prepared.text), timeout)
        except QuerySyntaxError as error:
            raise QuerySyntaxError(prepared.explain(error.message)) from None

    def put_graph(self, graph: str, data: bytes, media_type: str, *, replace: bool) -> bool:
        """Load RDF into a graph (parsed first here, so a bad body disturbs nothing)."""
        write = GraphWrite(graph, data, media_type, replace)
        try:
            graph_quads(write)
        except SyntaxError as error:
            raise BadRequest(f"the {media_type} body does not parse: {error}") from None
        return self._write(write, self.drain_timeout)

    def drop_graph(self, graph: str) -> bool:
        """Remove a graph (the default graph is emptied); False if it did not exist."""
        if not self.has_graph(graph):
            return False
        return self._write(GraphDrop(graph), self.drain_timeout)

    def close(self) -> None:
        """Stop the worker processes."""
        self.pool.close()
