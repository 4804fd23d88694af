"""The representations of a minted IRI: which formats, which suffixes, which Link headers."""

from __future__ import annotations

from kg.errors import NotAcceptable
from kg.formats import by_name
from kg.protocol.negotiate import Offer, negotiate

HTML = "text/html"

RDF_TWINS = tuple(by_name(name) for name in ("turtle", "jsonld", "ntriples"))
"""The RDF formats every page has a twin in, in server preference order after HTML."""

REPRESENTATIONS: tuple[tuple[str, str], ...] = (
    (HTML, ".html"),
    *((f.media_type, "." + f.extension) for f in RDF_TWINS),
)
"""Media type and path suffix of each representation, in server preference order."""

OFFERS: tuple[Offer, ...] = ((HTML, "application/xhtml+xml"), *(f.offer for f in RDF_TWINS))


def choose(accept: str | None) -> str:
    """Return the representation the Accept header prefers (the endpoint's negotiation)."""
    try:
        return negotiate(accept, OFFERS)
    except NotAcceptable:
        offered = ", ".join(media for media, _ in REPRESENTATIONS)
        raise NotAcceptable(f"this resource is available as {offered}") from None


def suffix_of(media_type: str) -> str:
    """Return the path suffix that selects a representation.

    >>> suffix_of("text/turtle")
    '.ttl'
    """
    return next(suffix for media, suffix in REPRESENTATIONS if media == media_type)


def split_suffix(path: str) -> tuple[str, str | None]:
    """Split a format suffix off a path.

    >>> split_suffix("/id/x.ttl")
    ('/id/x', 'text/turtle')
    """
    for media, suffix in REPRESENTATIONS:
        if path.endswith(suffix) and len(path) > len(suffix) + 1:
            return path[: -len(suffix)], media
    return path, None


def link_header(path: str) -> str:
    """Return the Link header advertising every representation of a resource."""
    return ", ".join(
        f'<{path}{suffix}>; rel="alternate"; type="{media}"' for media, suffix in REPRESENTATIONS
    )
