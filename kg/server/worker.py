"""A gunicorn worker that reads every request completely before a thread is committed to it.

gunicorn keeps the arbiter's work (binding, forking, replacing workers); this class replaces its
threaded worker, whose threads read requests themselves, so that ten clients sending a header
byte a second held every thread. Here one event loop per worker process reads all connections
without blocking, under a header and a body deadline, and caps open connections per client and
in total. Only a complete request reaches a thread, and threads are handed out round-robin
between clients, each holding at most ``client_threads`` of them.
"""

from __future__ import annotations

import contextlib
import errno
import json
import logging
import os
import queue
import selectors
import socket
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import h11
from gunicorn.workers.base import Worker

from kg.clients import address_key
from kg.server.reading import Connection, Limits, Phase, Refusal, advance
from kg.server.wsgi import respond

log = logging.getLogger("kg.access")

RECV_BYTES = 256 * 1024
LINGER = 2.0
"""Seconds a refused connection is still read (and discarded) so the client sees the refusal."""
TICK = 0.25
"""Longest sleep of the event loop: how late a deadline may be noticed."""


class BufferedWorker(Worker):  # type: ignore[misc]
    """Serve HTTP/1.1 with an event loop that reads and a thread pool that answers."""

    def init_process(self) -> None:
        """Set up the loop and the threads, then let gunicorn load the app and call run()."""
        self.limits: Limits = self.app.limits
        self.selector = selectors.DefaultSelector()
        self.pool = ThreadPoolExecutor(self.limits.threads, thread_name_prefix="kg-http")
        self.callbacks: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.connections: set[Connection] = set()
        self.per_client: Counter[str] = Counter()
        self.ready: OrderedDict[str, deque[Connection]] = OrderedDict()
        self.running: Counter[str] = Counter()
        self.busy = 0
        self.buffered = 0
        self.next_sweep = 0.0
        super().init_process()

    def run(self) -> None:
        """Accept, read and dispatch until told to stop, then let answers in progress finish."""
        self.selector.register(self.PIPE[0], selectors.EVENT_READ, self.wake)
        self.servers = {s.fileno(): s.getsockname()[:2] for s in self.sockets}
        for listener in self.sockets:
            listener.setblocking(False)
            self.selector.register(listener, selectors.EVENT_READ, self.accept)
        while self.alive:
            self.turn()
            if self.ppid != os.getppid():
                break
        self.drain()

    def turn(self, timeout: float = TICK) -> None:
        """Wait for sockets once, handle what is ready, enforce deadlines (each TICK at most)."""
        for key, _ in self.selector.select(timeout):
            key.data(key.fileobj)
        now = time.monotonic()
        if now >= self.next_sweep:
            self.notify()
            self.sweep(now)
            self.next_sweep = now + TICK

    def drain(self) -> None:
        """Stop accepting; close idle connections; give busy ones the graceful timeout."""
        for listener in self.sockets:
            self.selector.unregister(listener)
        limit = time.monotonic() + self.cfg.graceful_timeout
        while any(c.phase in (Phase.READY, Phase.APP) for c in self.connections):
            for conn in [c for c in self.connections if c.phase is Phase.IDLE]:
                self.close(conn)
            if time.monotonic() > limit:
                break
            self.turn()
        for conn in list(self.connections):
            self.close(conn)
        self.pool.shutdown(wait=False, cancel_futures=True)

    def wake(self, _pipe: Any) -> None:
        """Run what the threads queued (signals also write here, to end the wait)."""
        try:
            while os.read(self.PIPE[0], 4096):
                pass
        except BlockingIOError:
            pass
        while True:
            try:
                callback = self.callbacks.get_nowait()
            except queue.Empty:
                return
            callback()

    def call_soon(self, callback: Callable[[], None]) -> None:
        """Queue a callback for the loop thread (from a pool thread) and wake the loop."""
        self.callbacks.put(callback)
        with contextlib.suppress(BlockingIOError):
            os.write(self.PIPE[1], b".")

    def accept(self, listener: socket.socket) -> None:
        """Take the waiting connections, within the caps per client and in total."""
        for _ in range(64):
            try:
                sock, address = listener.accept()
            except BlockingIOError:
                return
            except OSError as error:
                if error.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                    log.warning("cannot accept a connection: %s", error.strerror)
                return
            self.admit(sock, address, self.servers[listener.fileno()])

    def admit(self, sock: socket.socket, address: Any, server: tuple[str, int]) -> None:
        """Register a new connection, or refuse it when its client or the server is full."""
        sock.setblocking(False)
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        else:
            address = ("unix", 0)
        key = address_key(address[0])
        limits = self.limits
        if self.per_client[key] >= limits.max_connections_per_client:
            refusal = Refusal(
                429,
                f"this client has {limits.max_connections_per_client} connections open, "
                "the most allowed; reuse them or close some",
                (("Retry-After", "1"),),
            )
            self.turn_away(sock, refusal)
            return
        if len(self.connections) >= limits.max_connections and not self.evict():
            refusal = Refusal(
                503, "the server has all the connections it accepts; retry", (("Retry-After", "1"),)
            )
            self.turn_away(sock, refusal)
            return
        conn = Connection.accepted(sock, address[:2], key, server, time.monotonic(), limits)
        self.connections.add(conn)
        self.per_client[key] += 1
        self.selector.register(sock, selectors.EVENT_READ, lambda _s, c=conn: self.readable(c))

    def turn_away(self, sock: socket.socket, refusal: Refusal) -> None:
        """Answer a connection that is not admitted, and close it."""
        self.note(refusal)
        with contextlib.suppress(OSError):
            sock.send(refusal.render())
        sock.close()

    def evict(self) -> bool:
        """Close the connection that has waited longest without a request in progress."""
        waiting = [c for c in self.connections if c.phase in (Phase.IDLE, Phase.CLOSING)]
        if not waiting:
            waiting = [c for c in self.connections if c.phase is Phase.HEAD]
        if not waiting:
            return False
        self.close(min(waiting, key=lambda c: c.deadline))
        return True

    def readable(self, conn: Connection) -> None:
        """Read what a client sent and act on whatever it completes."""
        try:
            data = conn.sock.recv(RECV_BYTES)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self.close(conn)
            return
        if conn.phase is Phase.CLOSING:
            if not data:
                self.close(conn)
            return
        now = time.monotonic()
        if conn.phase is Phase.IDLE and data:
            conn.phase = Phase.HEAD
            conn.deadline = now + self.limits.header_timeout
        conn.protocol.receive_data(data)
        self.progress(conn, now)

    def progress(self, conn: Connection, now: float) -> None:
        """Advance a connection's request as far as its bytes go."""
        while True:
            before = conn.body_size
            step = advance(conn, now, self.limits)
            if not self.reserve(conn, conn.body_size - before):
                busy = Refusal(503, "too many uploads at once; retry", (("Retry-After", "1"),))
                self.refuse(conn, busy)
                return
            if isinstance(step, Refusal):
                self.refuse(conn, step)
                return
            if isinstance(step, h11.ConnectionClosed):
                self.close(conn)
                return
            if isinstance(step, h11.EndOfMessage):
                self.selector.unregister(conn.sock)
                self.ready.setdefault(conn.key, deque()).append(conn)
                self.dispatch()
                return
            if isinstance(step, h11.Request):
                if conn.protocol.they_are_waiting_for_100_continue and not conn.continued:
                    conn.continued = True
                    proceed = h11.InformationalResponse(status_code=100, headers=[])
                    self.send_quietly(conn, conn.protocol.send(proceed))
                continue
            return

    def reserve(self, conn: Connection, grown: int) -> bool:
        """Count body bytes held in memory against the budget shared by all connections."""
        if grown <= 0:
            return True
        self.buffered += grown
        conn.reserved += grown
        return self.buffered <= self.limits.buffered_body_bytes

    def send_quietly(self, conn: Connection, data: bytes | None) -> None:
        """Send a few bytes from the loop without blocking; a full buffer drops them."""
        if data:
            with contextlib.suppress(OSError):
                conn.sock.send(data)

    def refuse(self, conn: Connection, refusal: Refusal) -> None:
        """Answer a request the front end rejects, then read and discard until the client stops."""
        self.note(refusal)
        self.send_quietly(conn, refusal.render())
        self.release(conn)
        conn.body = []
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self.close(conn)
            return
        conn.phase = Phase.CLOSING
        conn.deadline = time.monotonic() + LINGER

    def note(self, refusal: Refusal) -> None:
        """Write the access line of a request refused before it reached the application."""
        log.info(json.dumps({"status": refusal.status, "refused": refusal.message}))

    def sweep(self, now: float) -> None:
        """Close or refuse every connection whose deadline passed."""
        for conn in [c for c in self.connections if c.deadline <= now]:
            if conn.phase in (Phase.IDLE, Phase.CLOSING):
                self.close(conn)
            elif conn.phase is Phase.HEAD:
                seconds = self.limits.header_timeout
                self.refuse(conn, Refusal(408, f"the request head took longer than {seconds:g} s"))
            elif conn.phase is Phase.BODY:
                seconds = self.limits.body_timeout
                self.refuse(conn, Refusal(408, f"the request body took longer than {seconds:g} s"))

    def dispatch(self) -> None:
        """Give free threads to complete requests, taking clients in turn."""
        while self.busy < self.limits.threads:
            chosen = None
            for key in self.ready:
                if self.running[key] < self.limits.client_threads:
                    chosen = key
                    break
            if chosen is None:
                return
            waiting = self.ready[chosen]
            conn = waiting.popleft()
            if waiting:
                self.ready.move_to_end(chosen)
            else:
                del self.ready[chosen]
            self.start(conn)

    def start(self, conn: Connection) -> None:
        """Run the application for a complete request in a pool thread."""
        conn.phase = Phase.APP
        self.busy += 1
        self.running[conn.key] += 1
        body = conn.take_body()
        timeout = self.limits.send_timeout
        future = self.pool.submit(respond, self.wsgi, conn, body, conn.server, timeout)
        future.add_done_callback(lambda done: self.call_soon(lambda: self.finished(conn, done)))

    def finished(self, conn: Connection, done: Future[bool]) -> None:
        """Take a connection back from its thread: wait for its next request or close it."""
        self.busy -= 1
        self.running[conn.key] -= 1
        if not self.running[conn.key]:
            del self.running[conn.key]
        self.release(conn)
        reusable = not done.cancelled() and done.exception() is None and done.result()
        if reusable and self.alive:
            conn.sock.setblocking(False)
            conn.next_request(time.monotonic(), self.limits)
            self.selector.register(
                conn.sock, selectors.EVENT_READ, lambda _s, c=conn: self.readable(c)
            )
            self.progress(conn, time.monotonic())
        else:
            self.close(conn)
        self.dispatch()

    def release(self, conn: Connection) -> None:
        """Return a connection's body bytes to the shared budget."""
        self.buffered -= conn.reserved
        conn.reserved = 0

    def close(self, conn: Connection) -> None:
        """Forget a connection and close its socket."""
        if conn not in self.connections:
            return
        self.connections.discard(conn)
        self.per_client[conn.key] -= 1
        if self.per_client[conn.key] <= 0:
            del self.per_client[conn.key]
        self.release(conn)
        if conn.phase is Phase.READY:
            waiting = self.ready.get(conn.key)
            if waiting is not None and conn in waiting:
                waiting.remove(conn)
                if not waiting:
                    del self.ready[conn.key]
        if conn.phase not in (Phase.READY, Phase.APP):
            with contextlib.suppress(KeyError, ValueError):
                self.selector.unregister(conn.sock)
        conn.sock.close()
