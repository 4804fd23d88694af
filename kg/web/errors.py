"""One error handler and one error shape for every failure a client can see."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from kg.errors import KgError, NotAcceptable
from kg.protocol.negotiate import negotiate

log = logging.getLogger(__name__)

ERROR_OFFERS = (("text/plain", "text/html"), ("application/json",))
"""Errors are plain text (for people, browsers included) or JSON for clients that ask for it."""


def error_format(accept: str | None) -> str:
    """Return the format of an error for an Accept header; never refuse (plain text then)."""
    try:
        return negotiate(accept, ERROR_OFFERS)
    except NotAcceptable:
        return "text/plain"


def error_response(status: int, title: str, message: str) -> Response:
    """Render an error as JSON for machines or plain text for everyone else."""
    if error_format(request.headers.get("Accept")) == "application/json":
        response = jsonify(status=status, error=title, message=message)
    else:
        response = Response(f"{status} {title}: {message}\n", mimetype="text/plain")
    response.status_code = status
    return response


def register(app: Flask) -> None:
    """Install the handlers that turn every exception into the one error shape."""

    @app.errorhandler(KgError)
    def handle_kg_error(error: KgError) -> Response:
        if error.status >= 500:
            log.error("%s: %s", error.title, error.message)
        response = error_response(error.status, error.title, error.message)
        response.headers.update(error.headers)
        return response

    @app.errorhandler(HTTPException)
    def handle_http_error(error: HTTPException) -> Response:
        status = error.code or 500
        response = error_response(status, error.name, error.description or error.name)
        if status == 405 and error.response is None:
            allowed = getattr(error, "valid_methods", None)
            if allowed:
                response.headers["Allow"] = ", ".join(allowed)
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Internal error", "the server failed; the error is logged")
