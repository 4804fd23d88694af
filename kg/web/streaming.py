"""Turn an Outcome into a streamed HTTP response that stops the work when the client leaves."""

from __future__ import annotations

import itertools

from flask import Response

from kg.execution.base import Outcome
from kg.streams import close_stream


def outcome_response(outcome: Outcome, headers: dict[str, str] | None = None) -> Response:
    """Stream an Outcome as the body, its media type as Content-Type; nothing is buffered.

    The first chunk is read before the response starts, so a failure before any output (a
    deadline, an engine error) still reaches the client as an error status. An answer that was
    complete before anything was sent goes out with its length.
    """
    if outcome.complete is not None:
        response = Response(outcome.complete, content_type=with_charset(outcome.media_type))
        response.headers.update(outcome.headers)
        response.headers.update(headers or {})
        return response
    try:
        first = next(outcome.chunks, b"")
    except BaseException:
        close_stream(outcome.chunks)
        raise
    body = itertools.chain((first,), outcome.chunks)
    response = Response(body, content_type=with_charset(outcome.media_type))
    response.headers.update(outcome.headers)
    response.headers.update(headers or {})
    response.call_on_close(lambda: close_stream(outcome.chunks))
    return response


def with_charset(media_type: str) -> str:
    """Add the charset to textual media types; every format written here is UTF-8."""
    if media_type.startswith("text/") and "charset" not in media_type:
        return media_type + "; charset=utf-8"
    return media_type
