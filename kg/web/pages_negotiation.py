"""The representations of a minted IRI: which formats, which suffixes, which Link headers."""

from __future__ import annotations

from kg.errors import NotAcceptable
from kg.protocol.negotiate import Offer, negotiate

HTML = "text/html"

REPRESENTATIONS: tuple[tuple[str, str], ...] = (
    (HTML, ".html"),
    ("text/turtle", ".ttl"),
    ("application/ld+json", ".jsonld"),
    ("application/n-triples", ".nt"),
)
"""Media type and path suffix of each representation, in server preference order."""

OFFERS: tuple[Offer, ...] = (
    (HTML, "application/xhtml+xml"),
    ("text/turtle", "application/x-turtle"),
    ("application/ld+json", "application/json"),
    ("application/n-triples",),
)


def choose(accept: str | None) -> str:
    """Return the representation the Accept header prefers (the endpoint's negotiation)."""
    try:
        return negotiate(accept, OFFERS)
    except NotAcceptable:
        offered = ", ".join(media for media, _ in REPRESENTATIONS)
        raise NotAcceptable(f"this resource is available as {offered}") from None


def suffix_of(media_type: str) -> str:
    """Return the path suffix that selects a representation."""
    return next(suffix for media, suffix in REPRESENTATIONS if media == media_type)


def split_suffix(path: str) -> tuple[str, str | None]:
    """Split a format suffix off a path: ("/id/x.ttl") -> ("/id/x", "text/turtle")."""
    for media, suffix in REPRESENTATIONS:
        if path.endswith(suffix) and len(path) > len(suffix) + 1:
            return path[: -len(suffix)], media
    return path, None


def link_header(path: str) -> str:
    """Return the Link header advertising every representation of a resource."""
    return ", ".join(
        f'<{path}{suffix}>; rel="alternate"; type="{media}"' for media, suffix in REPRESENTATIONS
    )
