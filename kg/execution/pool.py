"""A bounded pool of query worker processes that the serving process can kill and replace.

Workers start lazily, one at a time as demand needs them, in the process that serves requests
(after a WSGI server's fork). A write bumps the pool's generation: idle workers holding old data
are stopped at once, busy ones when they come back, so the next query sees the write.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
import threading
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path

from pyoxigraph import Store

from kg.errors import EngineError, ServiceUnavailable
from kg.execution import worker as worker_module

START_TIMEOUT = 60.0
"""Seconds a new worker may take to open its store before the pool gives up on it."""


@dataclass(eq=False)
class Worker:
    """One worker process and the parent's end of its pipe."""

    process: BaseProcess
    conn: Connection
    generation: int
    alive: bool = field(default=True)
    _lock: threading.Lock = field(default_factory=threading.Lock)

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
        """Return the next message, or None if the deadline passed first; raise if it died."""
        remaining = deadline - time.monotonic()
        try:
            if self.conn.poll(0) or (
                remaining > 0 and self.conn in wait([self.conn, self.process.sentinel], remaining)
            ):
                return self.conn.recv_bytes()
            if time.monotonic() >= deadline:
                return None
        except (EOFError, OSError, ValueError):
            pass
        raise EngineError("the query worker stopped unexpectedly (out of memory?); it is replaced")


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


def forked_main(conn: Connection, source: Store | Path) -> None:
    """Entry point of a forked worker: drop inherited sockets, then serve."""
    close_inherited_sockets(conn.fileno())
    worker_module.serve(conn, source)


class WorkerPool:
    """Lend worker processes to requests, at most ``size`` at once."""

    def __init__(
        self,
        size: int,
        source: Callable[[], Store | Path],
        *,
        start_method: str,
        fork_guard: Callable[[], AbstractContextManager[object]] = nullcontext,
        queue_wait: float = 1.0,
    ) -> None:
        self.size = size
        self.source = source
        self.context = multiprocessing.get_context(start_method)
        self.fork_guard = fork_guard
        self.queue_wait = queue_wait
        self.generation = 0
        self._cond = threading.Condition()
        self._idle: list[Worker] = []
        self._busy: set[Worker] = set()
        self._starting = 0
        self._paused = False
        self._closed = False
        self._pid = os.getpid()
        if start_method == "forkserver":
            self.context.set_forkserver_preload(["kg.execution.worker"])

    def _adopt_fork(self) -> None:
        """Forget workers that belong to the process this one was forked from."""
        if os.getpid() != self._pid:
            self._pid = os.getpid()
            for inherited in [*self._idle, *self._busy]:
                inherited.conn.close()
            self._idle, self._busy, self._starting = [], set(), 0
            self._cond = threading.Condition()

    @property
    def live(self) -> int:
        """Count the workers running or being started."""
        return len(self._idle) + len(self._busy) + self._starting

    def pids(self) -> list[int]:
        """List the process ids of the running workers (for tests and diagnostics)."""
        with self._cond:
            return [w.process.pid for w in [*self._idle, *self._busy] if w.process.pid]

    def borrow(self, wait_for: float | None = None) -> Worker:
        """Take an idle worker, start one, or wait briefly; 503 when all stay busy."""
        self._adopt_fork()
        limit = time.monotonic() + (self.queue_wait if wait_for is None else wait_for)
        with self._cond:
            while True:
                if self._closed:
                    raise ServiceUnavailable("the server is shutting down")
                if not self._paused and self._idle:
                    found = self._idle.pop()
                    if found.generation == self.generation and found.process.is_alive():
                        self._busy.add(found)
                        return found
                    found.kill()
                    continue
                if not self._paused and self.live < self.size:
                    self._starting += 1
                    generation = self.generation
                    break
                remaining = limit - time.monotonic()
                if remaining <= 0:
                    raise ServiceUnavailable(
                        f"all {self.size} query workers are busy; retry shortly",
                        headers={"Retry-After": "1"},
                    )
                self._cond.wait(remaining)
        try:
            started = self._start(generation)
        except BaseException:
            with self._cond:
                self._starting -= 1
                self._cond.notify()
            raise
        with self._cond:
            self._starting -= 1
            self._busy.add(started)
        return started

    def _start(self, generation: int) -> Worker:
        """Start one worker process and wait until its store is open."""
        parent_end, child_end = self.context.Pipe()
        fork = self.context.get_start_method() == "fork"
        with self.fork_guard():
            source = self.source()
            target = forked_main if fork else worker_module.serve
            process = self.context.Process(  # type: ignore[attr-defined]
                target=target, args=(child_end, source), daemon=True, name="kg-query-worker"
            )
            process.start()
        child_end.close()
        started = Worker(process, parent_end, generation)
        hello = started.receive(time.monotonic() + START_TIMEOUT)
        if hello != worker_module.READY:
            started.kill()
            detail = (hello or b"").decode(errors="replace")
            raise EngineError(f"a query worker could not start: {detail}")
        return started

    def release(self, found: Worker) -> None:
        """Take a worker back after a complete answer."""
        with self._cond:
            self._busy.discard(found)
            if found.alive and found.generation == self.generation and not self._closed:
                self._idle.append(found)
                self._cond.notify()
                return
            self._cond.notify_all()
        found.kill()

    def discard(self, found: Worker) -> None:
        """Kill a worker whose query must stop; a replacement starts on demand."""
        found.kill()
        with self._cond:
            self._busy.discard(found)
            self._cond.notify_all()

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
