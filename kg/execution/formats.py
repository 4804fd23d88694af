"""Map negotiated media types to pyoxigraph's native serializers."""

from __future__ import annotations

from pyoxigraph import QueryResultsFormat, RdfFormat

from kg.errors import NotAcceptable


def results_format(media_type: str) -> QueryResultsFormat:
    """Return the SPARQL results format for a media type."""
    found = QueryResultsFormat.from_media_type(media_type)
    if found is None:
        raise NotAcceptable(f"{media_type} is not a SPARQL results format")
    return found


def rdf_format(media_type: str) -> RdfFormat:
    """Return the RDF serialization format for a media type."""
    found = RdfFormat.from_media_type(media_type)
    if found is None:
        raise NotAcceptable(f"{media_type} is not an RDF format")
    return found
