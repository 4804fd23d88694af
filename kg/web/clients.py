"""Name the client of each request, so that query slots are shared fairly between clients."""

from __future__ import annotations

from flask import Flask, request

from kg.clients import WRITER, address_key
from kg.execution.pool import current_client, current_request_abandoned
from kg.web import services
from kg.web.auth import holds_token


def identify() -> None:
    """Record who sends this request: the writer if it shows the token, else its address.

    Only the valid token names the writer: a made-up token per request would otherwise be a
    new client each time, with a fresh share.
    """
    if holds_token(request.headers.get("Authorization"), services().settings.write_token):
        current_client.set(WRITER)
    else:
        current_client.set(address_key(request.remote_addr or "unknown"))
    # The front end tells whether the client is still there (kg.server.wsgi.ABANDONED), so a
    # query that waited in line is not run for nobody.
    current_request_abandoned.set(request.environ.get("kg.abandoned"))


def forget(_error: BaseException | None) -> None:
    """Clear the client once the request is done, so that the thread's next work is nobody's."""
    current_client.set(None)
    current_request_abandoned.set(None)


def install(app: Flask) -> None:
    """Identify the client before every request and forget it after."""
    app.before_request(identify)
    app.teardown_request(forget)
