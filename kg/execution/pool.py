"""A bounded pool of query worker processes that the serving process can kill and replace.

Workers start lazily, one at a time as demand needs them, in the process that serves requests
(after a WSGI server's fork). A write bumps the pool's generation: idle workers holding old data
are stopped at once, busy ones when they come back, so the next query sees the write.

Queueing: a borrower that finds every worker busy waits in line, within its own deadline, up
to ``max_queued`` waiting at once; past that, or when its deadline passes first, 503 with
Retry-After. A borrower whose client has gone away (``current_request_abandoned``, set by the
web layer) gives its turn back instead of starting work nobody will read.

Fair shares: each borrower is a client (``current_client``, set per request by the web layer),
and one client holds at most ``client_slots`` workers at once. Waiting borrowers are served in
order of arrival, skipping those whose client already holds its share. A client at its share
keeps its place in line while its queries finish and free their slots; one whose slots have
all stayed busy for ``share_patience`` seconds gets 429 for the queries it has waiting that
long, so a client running long queries cannot also queue up more behind them.

Replacements: over an on-disk store, a worker that is killed (a deadline, a client that went
away) is replaced at once in the background, so the next query finds a worker ready instead of
waiting for one to open the store. A worker over a store in memory only forks (milliseconds),
so there a replacement starts when a query needs it.

Memory: each worker's address space is capped (``RLIMIT_AS``) at what it uses once its store is
open plus ``memory_budget`` bytes, so a runaway query fails in its own process, not the machine.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import resource
import select
import signal
import stat
import threading
import time
from collections import Counter
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from pyoxigraph import Store

from kg.errors import (
    EngineError,
    KgError,
    QueryMemoryExceeded,
    ServiceUnavailable,
    TooManyRequests,
)
from kg.execution import worker as worker_module

START_TIMEOUT = 60.0
"""Seconds a new worker may take to open its store before the pool gives up on it."""

current_client: ContextVar[str | None] = ContextVar("current_client", default=None)
"""The client the current request comes from (an address or the writer), for fair shares."""

current_request_abandoned: ContextVar[Callable[[], bool] | None] = ContextVar(
    "current_request_abandoned", default=None
)
"""Tells whether the current request's client has gone away (set by the web layer)."""

MAX_QUEUED = 64
"""Borrowers that may wait for a worker at once; more get 503 at once."""
SHARE_PATIENCE = 3.0
"""Seconds a client's share may stay busy with the same queries before its waiters get 429."""


class Abandoned(KgError):
    """The client went away while its request waited for a worker; nothing was run."""

    status = 499
    title = "Client closed the request"


OUT_OF_MEMORY_EXITS = (-signal.SIGABRT, 1)
"""How a worker dies when an allocation fails: Rust aborts, Python exits on MemoryError."""


@dataclass(eq=False)
class Worker:
    """One worker process and the parent's end of its pipe."""

    process: BaseProcess
    conn: Connection
    generation: int
    memory_budget: int | None = None
    client: str | None = None
    alive: bool = field(default=True)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _poll: select.poll | None = field(default=None, repr=False)

    def kill(self) -> None:
        """Stop the process at once (SIGKILL: its query cannot be interrupted otherwise)."""
        with self._lock:
            if not self.alive:
                return
            self.alive = False
            self.process.kill()
            self.process.join()
            self.conn.close()
            self.process.close()

    def receive(self, deadline: float) -> bytes | None:
        """Return the next message, or None if the deadline passed first; raise if it died.

        A worker that dies closes its end of the pipe, so waiting on the pipe alone sees both
        an answer and a death (EOF), with one poll object kept per worker.
        """
        try:
            while True:
                remaining = deadline - time.monotonic()
                if self.ready(max(0.0, remaining)):
                    return self.conn.recv_bytes()
                if remaining <= 0:
                    return None
        except (EOFError, OSError, ValueError):
            pass
        raise self.death()

    def ready(self, timeout: float) -> bool:
        """Wait up to timeout seconds for the pipe to have something to read (or to close)."""
        if self._poll is None:
            self._poll = select.poll()
            self._poll.register(self.conn.fileno(), select.POLLIN)
        return bool(self._poll.poll(math.ceil(timeout * 1000)))

    def death(self) -> EngineError | QueryMemoryExceeded:
        """Return the error that explains why this worker stopped before answering."""
        with suppress(ValueError, AssertionError):
            self.process.join(1.0)
        exitcode = None
        with suppress(ValueError):
            exitcode = self.process.exitcode
        if self.memory_budget is not None and exitcode in OUT_OF_MEMORY_EXITS:
            mib = self.memory_budget // (1024 * 1024)
            return QueryMemoryExceeded(
                f"the query needed more than its {mib} MiB memory budget (--query-memory-mb) "
                "and was stopped; add a LIMIT, avoid sorting or grouping a cross product, "
                "or ask the operator for a larger budget"
            )
        return EngineError("the query worker stopped unexpectedly; it is replaced")


def close_inherited_sockets(keep: int) -> None:
    """Close every socket a forked worker inherited (client connections, sibling pipes)."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd == keep:
            continue
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            continue


def address_space() -> int:
    """Return this process's virtual memory size in bytes."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def limit_memory(budget: int) -> None:
    """Cap this process's address space at what it maps now plus the budget."""
    ceiling = address_space() + budget
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        ceiling = min(ceiling, hard)
    resource.setrlimit(resource.RLIMIT_AS, (ceiling, hard))


def worker_main(conn: Connection, source: Store | Path, memory_budget: int | None) -> None:
    """Entry point of a forked worker: drop inherited sockets, open the store, cap memory, serve.

    The sockets it inherited (clients, listeners, its siblings' pipes) are closed first: a
    sibling's pipe held open here would hide that sibling's death from the serving process.
    The store is opened before the cap so that the budget is the query's alone; if it cannot be
    opened here, ``serve`` tries again and reports why.
    """
    close_inherited_sockets(conn.fileno())
    opened: Store | Path = source
    with suppress(OSError):
        opened = worker_module.open_source(source)
    if memory_budget is not None:
        limit_memory(memory_budget)
    worker_module.serve(conn, opened)


class WorkerPool:
    """Lend worker processes to requests, at most ``size`` at once."""

    def __init__(
        self,
        size: int,
        source: Callable[[], Store | Path],
        *,
        start_method: str,
        replace_in_background: bool = False,
        fork_guard: Callable[[], AbstractContextManager[object]] = nullcontext,
        queue_wait: float | None = None,
        max_queued: int = MAX_QUEUED,
        client_slots: int | None = None,
        memory_budget: int | None = None,
    ) -> None:
        self.size = size
        self.source = source
        self.context = multiprocessing.get_context(start_method)
        self.fork_guard = fork_guard
        self.queue_wait = queue_wait
        self.max_queued = max_queued
        self.client_slots = size if client_slots is None else max(1, min(size, client_slots))
        self.memory_budget = memory_budget
        self.replace_in_background = replace_in_background
        self.generation = 0
        self._cond = threading.Condition()
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._held: Counter[str] = Counter()
        self._freed: dict[str, float] = {}
        self._queue: list[str | None] = []
        self._starting = 0
        self._paused = False
        self._closed = False
        self._pid = os.getpid()

    def _adopt_fork(self) -> None:
        """Forget workers that belong to the process this one was forked from."""
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            for inherited in [*self._idle, *self._busy]:
                inherited.conn.close()
            self._idle, self._busy, self._starting = [], set(), 0
            self._held, self._queue, self._freed = Counter(), [], {}
            self._cond = threading.Condition()

    @property
    def live(self) -> int:
        """Count the workers running or being started."""
        return len(self._idle) + len(self._busy) + self._starting

    def pids(self) -> list[int]:
        """List the process ids of the running workers (for tests and diagnostics)."""
        with self._cond:
            return [w.process.pid for w in [*self._idle, *self._busy] if w.process.pid]

    def borrow(self, wait_for: float | None = None, client: str | None = None) -> Worker:
        """Take an idle worker or start one, waiting in line up to ``wait_for`` seconds.

        ``wait_for`` is what is left of the borrower's deadline (the pool's ``queue_wait``
        bounds it when set); ``client`` defaults to ``current_client``, and None is a borrower
        without a share limit. 503 when the line is full or the wait runs out; 429 for a
        client whose share stays busy; ``Abandoned`` when the client has gone away.
        """
        self._adopt_fork()
        key = current_client.get() if client is None else client
        now = time.monotonic()
        waits = [w for w in (wait_for, self.queue_wait) if w is not None]
        limit = now + (min(waits) if waits else SHARE_PATIENCE)
        with self._cond:
            if len(self._queue) >= self.max_queued and not self._free_now(key):
                raise self._full()
            self._queue.append(key)
            try:
                found = self._wait_for_turn(key, now, limit)
            finally:
                self._leave_queue(key)
            self._hold(key)
            if found is None:
                self._starting += 1
                generation = self.generation
        if found is None:
            found = self._start_for(key, generation)
        found.client = key
        abandoned = current_request_abandoned.get()
        if abandoned is not None and abandoned():
            self.release(found)
            raise Abandoned("the client closed the connection before its query could run")
        return found

    def _free_now(self, key: str | None) -> bool:
        """Tell whether a borrower could take a slot without waiting (the line is ignored)."""
        if self._paused or not self._under_share(key):
            return False
        return bool(self._idle) or self.live < self.size

    def _start_for(self, key: str | None, generation: int) -> Worker:
        """Start a worker for a borrower who counted one as starting; undo that on failure."""
        try:
            started = self._start(generation)
        except BaseException:
            with self._cond:
                self._starting -= 1
                self._unhold(key)
                self._cond.notify_all()
            raise
        with self._cond:
            self._starting -= 1
            self._busy.add(started)
        return started

    def _wait_for_turn(self, key: str | None, arrived: float, limit: float) -> Worker | None:
        """Wait (holding the condition) until this borrower may take a slot.

        Return an idle worker to take, or None when a new one may be started.
        """
        while True:
            if self._closed:
                raise ServiceUnavailable("the server is shutting down")
            if not self._paused and self._first_in_line(key):
                while self._idle:
                    found = self._idle.pop()
                    # An idle worker's pipe is silent; one with something to read has died.
                    if found.generation == self.generation and not found.ready(0):
                        self._busy.add(found)
                        return found
                    found.kill()
                if self.live < self.size:
                    return None
            now = time.monotonic()
            if self._share_stuck(key, arrived, now):
                raise self._over_share()
            if now >= limit:
                raise self._over_share() if not self._under_share(key) else self._busy_error()
            wake = limit
            if not self._under_share(key):
                wake = min(wake, max(arrived, self._freed.get(str(key), arrived)) + self.patience)
            self._cond.wait(max(0.0, wake - now))

    @property
    def patience(self) -> float:
        """Return how long a client's share may stay busy before its waiters get 429."""
        return SHARE_PATIENCE if self.queue_wait is None else min(self.queue_wait, SHARE_PATIENCE)

    def _share_stuck(self, key: str | None, arrived: float, now: float) -> bool:
        """Tell whether a client at its share freed no slot for as long as this one waited."""
        if self._under_share(key):
            return False
        last = max(arrived, self._freed.get(str(key), arrived))
        return now - last >= self.patience

    def _first_in_line(self, key: str | None) -> bool:
        """Tell whether no earlier waiter under its share is ahead of this one."""
        for waiting in self._queue:
            if self._under_share(waiting):
                return waiting == key
        return False

    def _under_share(self, key: str | None) -> bool:
        """Tell whether a client may take one more worker."""
        return key is None or self._held[key] < self.client_slots

    def _over_share(self) -> TooManyRequests:
        """Return the error for a client whose share stayed busy while its query waited."""
        return TooManyRequests(
            f"this client already runs {self.client_slots} queries, its share of the "
            f"{self.size} query slots, and none finished for {self.patience:g} s; retry when "
            "one of them finishes",
            headers={"Retry-After": "1"},
        )

    def _busy_error(self) -> ServiceUnavailable:
        """Return the error for a borrower whose wait for a worker ran out."""
        return ServiceUnavailable(
            f"all {self.size} query workers stayed busy for as long as this query could "
            "wait; retry shortly",
            headers={"Retry-After": "1"},
        )

    def _full(self) -> ServiceUnavailable:
        """Return the error for a borrower who finds the line full."""
        return ServiceUnavailable(
            f"all {self.size} query workers are busy and {self.max_queued} queries are "
            "waiting for them; retry shortly",
            headers={"Retry-After": "1"},
        )

    def _leave_queue(self, key: str | None) -> None:
        """Remove one waiter of this client from the line, and let the others look again."""
        self._queue.remove(key)
        if key is not None:
            self._forget_idle_client(key)
        self._cond.notify_all()

    def _hold(self, key: str | None) -> None:
        """Count one more worker held by a client."""
        if key is not None:
            self._held[key] += 1

    def _unhold(self, key: str | None) -> None:
        """Count one worker fewer held by a client, and note when it freed one."""
        if key is not None:
            self._held[key] -= 1
            self._freed[key] = time.monotonic()
            if self._held[key] <= 0:
                del self._held[key]
                self._forget_idle_client(key)

    def _forget_idle_client(self, key: str) -> None:
        """Drop what is kept about a client that holds nothing and waits for nothing."""
        if key not in self._held and key not in self._queue:
            self._freed.pop(key, None)

    def _start(self, generation: int) -> Worker:
        """Start one worker process and wait until its store is open."""
        parent_end, child_end = self.context.Pipe()
        with self.fork_guard():
            process = self.context.Process(  # type: ignore[attr-defined]
                target=worker_main,
                args=(child_end, self.source(), self.memory_budget),
                daemon=True,
                name="kg-query-worker",
            )
            process.start()
        child_end.close()
        started = Worker(process, parent_end, generation, self.memory_budget)
        hello = started.receive(time.monotonic() + START_TIMEOUT)
        if hello != worker_module.READY:
            started.kill()
            detail = (hello or b"").decode(errors="replace")
            raise EngineError(f"a query worker could not start: {detail}")
        return started

    def release(self, found: Worker) -> None:
        """Take a worker back after a complete answer."""
        with self._cond:
            self._give_back(found)
            if found.alive and found.generation == self.generation and not self._closed:
                self._idle.append(found)
                # Every waiter looks: the one first in line may not be the one a notify wakes.
                self._cond.notify_all()
                return
            self._cond.notify_all()
        found.kill()

    def discard(self, found: Worker) -> None:
        """Kill a worker whose query must stop, and start its replacement (see the module)."""
        found.kill()
        with self._cond:
            self._give_back(found)
            self._cond.notify_all()
            replace = self.replace_in_background and self._wanted()
            if replace:
                self._starting += 1
                generation = self.generation
        if replace:
            threading.Thread(
                target=self._replace, args=(generation,), name="kg-replace-worker", daemon=True
            ).start()

    def _wanted(self) -> bool:
        """Tell whether a background replacement would be used (holding the condition)."""
        return not (self._closed or self._paused) and self.live < self.size

    def _replace(self, generation: int) -> None:
        """Start a worker in the background and put it with the idle ones."""
        try:
            started = self._start(generation)
        except EngineError:
            with self._cond:
                self._starting -= 1
                self._cond.notify_all()
            return
        with self._cond:
            self._starting -= 1
            keep = not (self._closed or self._paused) and started.generation == self.generation
            if keep:
                self._idle.append(started)
            self._cond.notify_all()
        if not keep:
            started.kill()

    def _give_back(self, found: Worker) -> None:
        """Stop counting a worker as busy and as held by its client (once)."""
        if found in self._busy:
            self._busy.discard(found)
            self._unhold(found.client)
        found.client = None

    def retire(self) -> None:
        """Make every worker holding data older than the last write stop."""
        with self._cond:
            self.generation += 1
            stale, self._idle = self._idle, []
            self._cond.notify_all()
        for found in stale:
            found.kill()

    def pause(self, drain_timeout: float) -> None:
        """Stop every worker before an exclusive write; busy ones get drain_timeout to finish."""
        limit = time.monotonic() + drain_timeout
        with self._cond:
            self._paused = True
            self.generation += 1
            while (self._busy or self._starting) and time.monotonic() < limit:
                self._cond.wait(limit - time.monotonic())
            stale = [*self._idle, *self._busy]
            self._idle = []
        for found in stale:
            found.kill()

    def resume(self) -> None:
        """Let queries start workers again after a write."""
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def close(self) -> None:
        """Stop every worker for good."""
        with self._cond:
            self._closed = True
            everyone = [*self._idle, *self._busy]
            self._idle, self._busy = [], set()
            self._cond.notify_all()
        for found in everyone:
            found.kill()
