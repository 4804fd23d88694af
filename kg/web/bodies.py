"""Read a request body whole, or refuse it: over the limit is 413, cut short is 400.

Werkzeug caps a chunked body at the limit by cutting it silently, so a write larger than the
limit would be stored in part; here a body is either complete and within the limit, or refused.
"""

from __future__ import annotations

import io

from flask import request

from kg.errors import BadRequest, PayloadTooLarge
from kg.web import services


def read_body() -> bytes:
    """Return the request body, all of it; refuse one that is too large or incomplete."""
    limit = services().settings.max_body_bytes
    too_large = PayloadTooLarge(f"the body is larger than the {limit}-byte limit; nothing was done")
    length = request.content_length
    stream = request.environ["wsgi.input"]
    if length is None:
        if not request.environ.get("wsgi.input_terminated"):
            return b""
        data: bytes = stream.read(limit + 1)
        if len(data) > limit:
            raise too_large
        return data
    if length > limit:
        raise too_large
    data = stream.read(length)
    if len(data) < length:
        raise BadRequest(
            f"the body was cut short ({len(data)} of {length} bytes); nothing was done"
        )
    return data


def buffer_body() -> None:
    """Read the body whole (as read_body does), then let the form parser read it again."""
    data = read_body()
    request.environ["wsgi.input"] = io.BytesIO(data)
    request.environ["CONTENT_LENGTH"] = str(len(data))
