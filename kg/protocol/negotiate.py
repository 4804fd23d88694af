"""Content negotiation per RFC 9110 section 12.5.1: q-values, wildcards, parameters, 406.

The one negotiator: the endpoint, the Graph Store, the pages and the error responses all
choose their format here. An offer is a tuple of media types naming one format, the canonical
one first (the one sent in Content-Type) and then the aliases clients also use for it. Offers
are listed in server preference order, which breaks ties. The offers of each query form come
from the format table (``kg.formats``): an ASK answer has no CSV or TSV form.

>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", SOLUTION_FORMATS)
'application/sparql-results+xml'
>>> negotiate("text/*", GRAPH_FORMATS)
'text/turtle'
>>> negotiate("text/csv, application/sparql-results+json;q=0.1", offers_for("ASK"))
'application/sparql-results+json'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg.errors import NotAcceptable
from kg.formats import RDF_FORMATS, RESULT_FORMATS, Format, offered_for

Offer = tuple[str, ...]

SOLUTION_FORMATS: tuple[Offer, ...] = tuple(f.offer for f in RESULT_FORMATS)
"""Formats for SELECT results; SPARQL JSON is the default."""

GRAPH_FORMATS: tuple[Offer, ...] = tuple(f.offer for f in RDF_FORMATS)
"""Formats for CONSTRUCT and DESCRIBE results; Turtle is the default."""


def offers(formats: Sequence[Format]) -> tuple[Offer, ...]:
    """Return the offers of some formats, in their order."""
    return tuple(f.offer for f in formats)


def offers_for(form: str) -> tuple[Offer, ...]:
    """Return the offers for the answer of a query form (SELECT, ASK, CONSTRUCT, DESCRIBE)."""
    return offers(offered_for(form))


_UTF8 = ("utf-8", "utf8")


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header: ``type/subtype`` with its parameters and weight."""

    type: str
    subtype: str
    charset: str | None
    q: float

    @property
    def specificity(self) -> int:
        """Rank how precisely this range names a type: */* < type/* < type/subtype < +charset."""
        if self.type == "*":
            return 0
        if self.subtype == "*":
            return 1
        return 2 if self.charset is None else 3

    def matches(self, media_type: str) -> bool:
        """Tell whether this range covers a media type (all our formats are UTF-8)."""
        if self.charset is not None and self.charset not in _UTF8:
            return False
        kind, _, sub = media_type.partition("/")
        return self.type in ("*", kind) and self.subtype in ("*", sub)


def parse_accept(header: str) -> list[MediaRange]:
    """Parse an Accept header, dropping malformed elements (they match nothing)."""
    ranges = []
    for element in header.split(","):
        found = _parse_range(element)
        if found is not None:
            ranges.append(found)
    return ranges


def _parse_range(element: str) -> MediaRange | None:
    """Parse one media range, or return None when it is not well formed."""
    name, *params = (part.strip() for part in element.split(";"))
    kind, slash, sub = name.lower().partition("/")
    if not slash or not kind or not sub or (kind == "*" and sub != "*"):
        return None
    q = 1.0
    charset = None
    for param in params:
        key, equals, value = param.partition("=")
        key, value = key.strip().lower(), value.strip().strip('"').lower()
        if not equals:
            return None
        if key == "q":
            try:
                q = float(value)
            except ValueError:
                return None
            if not 0.0 <= q <= 1.0:
                return None
            break  # what follows q= are accept-extensions, which do not restrict the range
        if key == "charset":
            charset = value
    return MediaRange(kind, sub, charset, q)


def quality(ranges: Sequence[MediaRange], offer: Offer) -> float:
    """Return the weight the client gives an offer: that of the most specific matching range.

    Wildcards match the canonical media type only; an alias counts when a range names it exactly,
    so ``text/*`` does not pick SPARQL XML for its ``text/xml`` alias.
    """
    best: MediaRange | None = None
    for candidate in ranges:
        names = offer if candidate.specificity >= 2 else offer[:1]
        if any(candidate.matches(name) for name in names) and (
            best is None or candidate.specificity > best.specificity
        ):
            best = candidate
    return 0.0 if best is None else best.q


def negotiate(accept: str | None, offers: Sequence[Offer]) -> str:
    """Return the canonical media type of the offer the client prefers; raise NotAcceptable."""
    if accept is None or not accept.strip():
        return offers[0][0]
    ranges = parse_accept(accept)
    best_q, best = 0.0, None
    for offer in offers:
        q = quality(ranges, offer)
        if q > best_q:
            best_q, best = q, offer[0]
    if best is None:
        raise NotAcceptable(
            f"no format on offer satisfies 'Accept: {accept}'; this resource is available as "
            + ", ".join(offer[0] for offer in offers)
        )
    return best
