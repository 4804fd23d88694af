"""Read a SPARQL 1.1 Protocol request into the operation it asks for, or refuse it (400, 415).

The protocol as a table (https://www.w3.org/TR/sparql11-protocol/):

=====  ===================================  =========================================
GET    (no body)                            ``query=`` and dataset in the URL
POST   application/x-www-form-urlencoded    ``query=`` or ``update=`` in the body;
                                            dataset in the body or the URL
POST   application/sparql-query             the body is the query; dataset in the URL
POST   application/sparql-update            the body is the update; dataset in the URL
=====  ===================================  =========================================

A parameter given both in the URL and in the body is refused, as are a repeated ``query`` or
``update`` and a request carrying both. Parameters this endpoint does not know (``format=``,
``output=`` sent by some clients) are ignored; besides ``timeout=`` it knows ``release=``, which
answers a query from a dated release instead of the live data. A query or update longer than the
limit is refused (413) on its bytes, before it is decoded or read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from pyoxigraph import NamedNode

from kg.errors import BadRequest, UnsupportedMediaType
from kg.execution.base import Dataset
from kg.policy import check_length

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"

QUERY_DATASET = ("default-graph-uri", "named-graph-uri")
UPDATE_DATASET = ("using-graph-uri", "using-named-graph-uri")
KNOWN = ("query", "update", "timeout", "release", *QUERY_DATASET, *UPDATE_DATASET)


PERCENT_ENCODED = 3
"""A form body spells each byte of its text in at most three bytes (``%XX``)."""


@dataclass(frozen=True)
class QueryOperation:
    """A query to evaluate against a dataset (empty: the service's default dataset)."""

    text: str
    dataset: Dataset
    timeout: float | None = None
    """Seconds the client allows (the server's deadline caps it); None: the server's."""
    release: str | None = None
    """The release (a version, or ``latest``) to answer from; None: the live data."""


@dataclass(frozen=True)
class UpdateOperation:
    """An update to apply, with the USING dataset the protocol gave it."""

    text: str
    dataset: Dataset


Operation = QueryOperation | UpdateOperation


def parse_request(
    method: str,
    content_type: str | None,
    url_params: Iterable[tuple[str, str]],
    body: bytes,
    max_text_bytes: int,
) -> Operation | None:
    """Return the operation a request asks for, or None for a bare GET (describe the service)."""
    url = _known(url_params)
    _check_texts(url, max_text_bytes)
    if method in ("GET", "HEAD"):
        if "update" in url:
            raise BadRequest("a SPARQL Update must be sent by POST, never by GET")
        if not url:
            return None
        return _operation(url, {})
    if method != "POST":
        raise BadRequest(f"the SPARQL endpoint answers GET and POST, not {method}")
    media_type = _media_type(content_type)
    if media_type == FORM:
        check_length(body, PERCENT_ENCODED * max_text_bytes + 4096, "form body")
        form = _known(parse_qsl(_utf8(body, "form"), keep_blank_values=True))
        _check_texts(form, max_text_bytes)
        return _operation(url, form)
    if media_type in (SPARQL_QUERY, SPARQL_UPDATE):
        what = "query" if media_type == SPARQL_QUERY else "update"
        check_length(body, max_text_bytes, what)
        return _operation(url, {what: [_utf8(body, what)]})
    raise UnsupportedMediaType(
        f"a POST to the SPARQL endpoint must be {FORM}, {SPARQL_QUERY} or {SPARQL_UPDATE}; "
        + (f"got {media_type}" if media_type else "the Content-Type header is missing"),
    )


def _check_texts(params: dict[str, list[str]], limit: int) -> None:
    """Refuse a query or update text over the limit before it is read."""
    for name in ("query", "update"):
        for value in params.get(name, ()):
            check_length(value, limit, name)


def _known(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Group the protocol's own parameters by name, keeping repeats."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        if name in KNOWN:
            grouped.setdefault(name, []).append(value)
    return grouped


def _media_type(header: str | None) -> str:
    """Return the media type of a Content-Type, refusing any charset but UTF-8."""
    name, *params = (part.strip() for part in (header or "").split(";"))
    charset = None
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    if charset is not None and charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"the request body must be UTF-8, not {charset}")
    return name.lower()


def _utf8(body: bytes, what: str) -> str:
    """Decode a body as UTF-8 or refuse it."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(
            f"the {what} body is not valid UTF-8 (byte {error.start}); send it encoded as UTF-8"
        ) from None


def _operation(url: dict[str, list[str]], body: dict[str, list[str]]) -> Operation:
    """Combine URL and body parameters into one operation, refusing conflicts."""
    doubled = sorted(url.keys() & body.keys())
    if doubled:
        raise BadRequest(f"the parameter {doubled[0]!r} is given both in the URL and in the body")
    params = url | body
    if "query" in params and "update" in params:
        raise BadRequest("a request carries either query= or update=, not both")
    if "update" in params:
        text = _single(params, "update")
        _refuse(params, QUERY_DATASET, "update", "using-graph-uri and using-named-graph-uri")
        if "release" in params:
            raise BadRequest("a release never changes: send the update without release=")
        return UpdateOperation(text, _dataset(params, *UPDATE_DATASET))
    text = _single(params, "query")
    _refuse(params, UPDATE_DATASET, "query", "default-graph-uri and named-graph-uri")
    release = _single(params, "release") if "release" in params else None
    return QueryOperation(text, _dataset(params, *QUERY_DATASET), _timeout(params), release)


def _timeout(params: dict[str, list[str]]) -> float | None:
    """Read the optional timeout= (seconds, positive), by which a client shortens its deadline."""
    if "timeout" not in params:
        return None
    values = params["timeout"]
    if len(values) > 1:
        raise BadRequest(f"the parameter 'timeout' is given {len(values)} times; give it once")
    value = values[0]
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        raise BadRequest(f"timeout must be a positive number of seconds; got {value!r}")
    return seconds


def _single(params: dict[str, list[str]], name: str) -> str:
    """Return a parameter that must be given exactly once, with a non-blank value."""
    values = params.get(name, [])
    if len(values) > 1:
        raise BadRequest(f"the parameter {name!r} is given {len(values)} times; give it once")
    if not values or not values[0].strip():
        raise BadRequest(f"the parameter {name!r} is missing: send the SPARQL text as {name}=")
    return values[0]


def _refuse(params: dict[str, list[str]], names: tuple[str, ...], op: str, use: str) -> None:
    """Refuse dataset parameters meant for the other operation."""
    for name in names:
        if name in params:
            raise BadRequest(f"{name} does not apply to a SPARQL {op}; use {use}")


def _dataset(params: dict[str, list[str]], default: str, named: str) -> Dataset:
    """Read the dataset parameters, in the order given, each an absolute IRI."""
    for name in (default, named):
        for value in params.get(name, ()):
            try:
                NamedNode(value)
            except ValueError:
                raise BadRequest(f"{name} must be an absolute IRI, not {value!r}") from None
    return Dataset(tuple(params.get(default, ())), tuple(params.get(named, ())))
