"""Answer Wikidata SERVICE clauses live, inside the rules every query runs under.

One instance per running server owns the client and its connection pool. A query's clauses are
answered after its format is negotiated and while it holds its concurrency slot (the back ends
call ``answer``), within its deadline:

- identical clauses in one query are fetched once;
- an answer larger than ``live_service_bytes`` or with more rows than ``live_service_rows`` is
  refused (502), as is a query with more than ``live_service_clauses`` different clauses (400,
  at preparation);
- a 429 opens a circuit breaker for the ``Retry-After`` it names (or a minute): until then no
  request of any client reaches Wikidata; non-SILENT clauses get 429 with the time left,
  SILENT ones an empty answer;
- the waiting is done by a small pool of threads, so the HTTP thread is given back at the
  deadline even when Wikidata trickles its answer.

A SILENT clause turns a failure of Wikidata into one solution binding nothing; running out of
the query's own deadline is the query's failure (504), SILENT or not.
"""

from __future__ import annotations

import math
import os
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from kg.errors import BadGateway, DeadlineExceeded, KgError, TooManyRequests
from kg.execution.base import Deadline, LiveClause
from kg.settings import Settings
from kg.wikidata.client import WikidataClient, pooled_session, retry_after_seconds
from kg.wikidata.values import EMPTY_SOLUTION, to_values

DEFAULT_BACKOFF = 60
"""Seconds the breaker stays open after a 429 that names no Retry-After."""


def _renew(service: weakref.ref[LiveService]) -> None:
    """Give a forked process its own connections and threads (if the service still exists)."""
    found = service()
    if found is not None:
        found.after_fork()


class LiveService:
    """Call Wikidata for the live SERVICE clauses of queries, one pooled client per server."""

    def __init__(
        self,
        client: WikidataClient,
        *,
        max_bytes: int,
        max_rows: int,
        threads: int = 4,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.max_bytes = max_bytes
        self.max_rows = max_rows
        self.threads = threads
        self.clock = clock
        self._lock = threading.Lock()
        self._closed_until = 0.0
        self.calls = 0
        """Requests sent to Wikidata so far (for tests and diagnostics)."""
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="kg-wikidata")
        alive = weakref.ref(self)
        os.register_at_fork(after_in_child=lambda: _renew(alive))

    @classmethod
    def from_settings(cls, settings: Settings) -> LiveService:
        """Build the live service the settings describe."""
        threads = 2 * settings.max_concurrent_queries
        return cls(
            WikidataClient.from_settings(settings, connections=threads),
            max_bytes=settings.live_service_bytes,
            max_rows=settings.live_service_rows,
            threads=threads,
        )

    def after_fork(self) -> None:
        """Open this process's own connections and threads: a fork shares neither safely."""
        self.client.session = pooled_session(self.threads)
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="kg-wikidata")

    def answer(self, clauses: Sequence[LiveClause], deadline: Deadline) -> list[str]:
        """Return the VALUES block standing for each clause, fetching each distinct one once."""
        found: dict[str, str | KgError] = {}
        for query in dict.fromkeys(clause.query for clause in clauses):
            try:
                found[query] = self._fetch(query, deadline)
            except DeadlineExceeded as error:
                if deadline.expired:
                    raise
                found[query] = error
            except KgError as error:
                found[query] = error
        answers = []
        for clause in clauses:
            result = found[clause.query]
            if isinstance(result, KgError):
                if not clause.silent:
                    raise result
                result = EMPTY_SOLUTION
            answers.append(result)
        return answers

    def _fetch(self, query: str, deadline: Deadline) -> str:
        """Fetch one clause's rows, unless the breaker is open or the deadline passes first."""
        self._check_breaker()
        stop = threading.Event()
        with self._lock:
            self.calls += 1
        future: Future[dict[str, Any]] = self._pool.submit(
            self.client.select_bounded, query, self.max_bytes, stop
        )
        try:
            results = future.result(timeout=deadline.remaining())
        except FutureTimeout:
            stop.set()
            future.cancel()
            raise DeadlineExceeded(
                f"the query ran past its {deadline.seconds:g} s deadline while Wikidata was "
                "answering one of its SERVICE clauses"
            ) from None
        except TooManyRequests as error:
            self._open_breaker(error)
            raise
        rows = results.get("results", {}).get("bindings", [])
        if isinstance(rows, list) and len(rows) > self.max_rows:
            raise BadGateway(
                f"Wikidata answered a SERVICE clause with {len(rows)} rows; at most "
                f"{self.max_rows} are put into a query (KG_LIVE_SERVICE_ROWS): make the pattern "
                "inside the clause more selective"
            )
        return to_values(results)

    def _open_breaker(self, error: TooManyRequests) -> None:
        """Stop calling Wikidata for as long as its 429 asked."""
        seconds = retry_after_seconds(error.headers.get("Retry-After")) or DEFAULT_BACKOFF
        with self._lock:
            self._closed_until = max(self._closed_until, self.clock() + seconds)

    def _check_breaker(self) -> None:
        """Refuse without calling while Wikidata has asked this server to wait."""
        with self._lock:
            wait = self._closed_until - self.clock()
        if wait > 0:
            seconds = math.ceil(wait)
            raise TooManyRequests(
                f"Wikidata asked this server to slow down; no SERVICE clause is sent to it for "
                f"another {seconds} s. Retry then, or use pinned mode, which answers from the "
                "extract without calling Wikidata",
                headers={"Retry-After": str(seconds)},
            )

    def close(self) -> None:
        """Stop the threads and close the connections."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.client.close()
