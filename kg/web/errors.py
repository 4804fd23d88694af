"""One error handler and one error shape for every failure a client can see."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from kg.errors import KgError

log = logging.getLogger(__name__)


def error_response(status: int, title: str, message: str) -> Response:
    """Render an error as JSON for machines or plain text for everyone else."""
    best = request.accept_mimetypes.best_match(["text/plain", "application/json", "text/html"])
    if best == "application/json":
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
