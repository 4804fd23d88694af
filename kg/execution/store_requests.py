"""Send writes to a remote store: retry what is transient, report the rest in the store's words.

A connection refused or reset, a timeout, ``429``, ``502``, ``503``, ``504`` and Virtuoso's
deadlock (SQL state 40001) are transient: the same request may succeed a moment later. Anything
else the store answers with 4xx or 5xx is its verdict, reported with its own message.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import requests

from kg.errors import BadGateway, BadRequest, KgError, ServiceUnavailable

T = TypeVar("T")

TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
VIRTUOSO_DEADLOCK = "Virtuoso 40001"
CONNECT_TIMEOUT = 5.0
SENDING_TIMEOUT = 120.0
MESSAGE_CHARS = 4000
"""How much of a store's message is quoted (Virtuoso echoes the whole update after it)."""


class TransientFailure(KgError):
    """A failure worth retrying: the store was unreachable, busy or in a deadlock."""

    status = 503
    title = "Service unavailable"


class TransientTimeout(TransientFailure):
    """The store took longer than the request's deadline (a retry may be quicker)."""

    status = 504
    title = "Gateway timeout"


@dataclass(frozen=True)
class RetryPolicy:
    """How often, and after how long, a transient failure is tried again (and whom to tell)."""

    attempts: int = 5
    first_wait: float = 1.0
    max_wait: float = 30.0
    report: Callable[[str], None] | None = field(default=None, compare=False)

    def waits(self) -> Iterator[float]:
        """Yield the wait before each retry: 1, 2, 4, 8 … seconds, at most max_wait."""
        wait = self.first_wait
        for _ in range(self.attempts - 1):
            yield min(wait, self.max_wait)
            wait *= 2


def transport_reason(error: BaseException) -> str:
    """Name the innermost cause of a transport failure (refused, reset, closed) for a message."""
    cause = error
    while True:
        inner = cause.__cause__ or getattr(cause, "reason", None) or cause.__context__
        if not isinstance(inner, BaseException):
            return type(cause).__name__
        cause = inner


def store_message(response: requests.Response) -> str:
    """Return the store's own message for a refusal, verbatim (its first 4,000 characters)."""
    text = response.text.strip() or response.reason or ""
    if len(text) > MESSAGE_CHARS:
        return f"{text[:MESSAGE_CHARS]} … ({len(text) - MESSAGE_CHARS} more characters)"
    return text


def retry_after(response: requests.Response) -> float | None:
    """Return the wait a busy store asks for (Retry-After in seconds), if it gives one."""
    value = response.headers.get("Retry-After", "")
    return float(value) if value.strip().isdigit() else None


def send(
    session: requests.Session,
    method: str,
    url: str,
    *,
    timeout: float,
    answers: frozenset[int] = frozenset(),
    **options: Any,
) -> requests.Response:
    """Send one request; raise TransientFailure or BadGateway (with the store's message).

    A status in ``answers`` (404 for "no such graph") is an answer, returned like a success.
    A request with a body waits longer to connect: urllib3 sends the body under the connect
    timeout, and a store that loads as it reads (oxigraph) may pause reading for seconds.
    """
    connect = SENDING_TIMEOUT if options.get("data") else CONNECT_TIMEOUT
    try:
        response = session.request(method, url, timeout=(connect, timeout), **options)
    except requests.Timeout:
        raise TransientTimeout(
            f"the remote store at {url} did not answer within {timeout:g} s"
        ) from None
    except requests.ConnectionError as error:
        raise TransientFailure(
            f"the remote store at {url} is unreachable or broke off the connection "
            f"({transport_reason(error)})"
        ) from None
    if response.status_code < 400 or response.status_code in answers:
        return response
    message = store_message(response)
    response.close()
    failure = f"the remote store at {url} answered {response.status_code}: {message}"
    if response.status_code in TRANSIENT_STATUSES or message.startswith(VIRTUOSO_DEADLOCK):
        wait = retry_after(response)
        raise TransientFailure(failure, headers={"Retry-After": f"{wait:g}"} if wait else None)
    if response.status_code == 400:
        raise BadRequest(f"the remote store at {url} refused the request: {message}")
    raise BadGateway(failure)


def with_retries(
    action: Callable[[], T],
    policy: RetryPolicy,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run an idempotent action, again after each transient failure, up to the policy's attempts.

    When every attempt failed, the last failure is a 503 that says how often it was tried.
    """
    waits = policy.waits()
    tried = 0.0
    while True:
        try:
            return action()
        except TransientFailure as failure:
            wait = next(waits, None)
            if wait is None:
                tries = f"{policy.attempts} attempts over {tried:g} s"
                raise ServiceUnavailable(
                    f"{failure.message}; gave up after "
                    + ("1 attempt" if policy.attempts == 1 else tries),
                    headers={"Retry-After": "5"},
                ) from None
            asked = failure.headers.get("Retry-After")
            wait = min(float(asked), policy.max_wait) if asked else wait
            if policy.report is not None:
                policy.report(f"retrying in {wait:g} s: {failure.message}")
            sleep(wait)
            tried += wait
