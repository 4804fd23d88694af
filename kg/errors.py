"""Errors that reach a client: each class carries the HTTP status that says what went wrong."""

from __future__ import annotations


class KgError(Exception):
    """A failure with a message a person can act on and the HTTP status that fits it."""

    status = 500
    title = "Internal error"

    def __init__(self, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.headers = dict(headers or {})


class BadRequest(KgError):
    """The request is malformed: missing, repeated or conflicting parameters, bad encoding."""

    status = 400
    title = "Bad request"


class QuerySyntaxError(BadRequest):
    """The query or update does not parse; the message carries the parser's position."""

    title = "SPARQL syntax error"


class QueryRefused(BadRequest):
    """The engine refused the text as written: an unknown function, a graph that already exists."""

    title = "Query refused by the engine"


class Unauthorized(KgError):
    """A write came without a bearer token."""

    status = 401
    title = "Unauthorized"


class Forbidden(KgError):
    """The request is understood and refused: a wrong token, a SERVICE target not allowed."""

    status = 403
    title = "Forbidden"


class NotFound(KgError):
    """No such resource or graph."""

    status = 404
    title = "Not found"


class MethodNotAllowed(KgError):
    """The method is not served at this path."""

    status = 405
    title = "Method not allowed"


class NotAcceptable(KgError):
    """No response format satisfies the Accept header."""

    status = 406
    title = "Not acceptable"


class PayloadTooLarge(KgError):
    """The body or query is longer than the configured limit."""

    status = 413
    title = "Payload too large"


class UnsupportedMediaType(KgError):
    """The request body's content type is not one this endpoint reads."""

    status = 415
    title = "Unsupported media type"


class TooManyRequests(KgError):
    """A client holds its share of the query slots, or an upstream service asked us to slow down."""

    status = 429
    title = "Too many requests"


class BadGateway(KgError):
    """An upstream service answered with an error or garbage."""

    status = 502
    title = "Bad gateway"


class ServiceUnavailable(KgError):
    """The server is at its concurrency limit or its store is unreachable; retry later."""

    status = 503
    title = "Service unavailable"


class DeadlineExceeded(KgError):
    """The query ran past its deadline and its evaluation was stopped."""

    status = 504
    title = "Query deadline exceeded"


class QueryMemoryExceeded(KgError):
    """The query needed more memory than the budget of one query process; it was stopped."""

    status = 507
    title = "Query memory budget exceeded"


class EngineError(KgError):
    """The engine failed while evaluating; logged, and reported without a traceback."""

    status = 500
    title = "Query engine error"
