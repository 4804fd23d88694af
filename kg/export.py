"""Export the whole dataset or one graph in a named format; used by the web and by ``kg export``."""

from __future__ import annotations

from pyoxigraph import parse, serialize

from kg.errors import BadRequest
from kg.execution.base import Outcome
from kg.formats import Format, by_name, rdf_format
from kg.jsonld import compact
from kg.pipeline import Services
from kg.release.describe import used_prefixes

EXPORT_FORMATS = {
    name: by_name(name) for name in ("turtle", "trig", "nquads", "ntriples", "jsonld", "rdfxml")
}
"""Every RDF format of the format table, by short name, in the order downloads list them."""

BY_EXTENSION = {f.extension: f for f in EXPORT_FORMATS.values()}

PREFIXED = frozenset({"turtle", "trig", "rdfxml"})
"""Formats that abbreviate IRIs with prefixes: written with the project's (as releases are)."""

UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
NQUADS, NTRIPLES = "application/n-quads", "application/n-triples"


def export_format(name: str) -> Format:
    """Return the export format with this name, or say which ones exist."""
    try:
        return EXPORT_FORMATS[name]
    except KeyError:
        raise BadRequest(
            f"no export format {name!r}; choose one of " + ", ".join(EXPORT_FORMATS)
        ) from None


def export(services: Services, graph: str | None, fmt: Format) -> Outcome:
    """Serialize one graph, or with None the whole dataset (merged when the format has no graphs).

    JSON-LD is compacted with the project's @context and Turtle, TriG and RDF/XML declare the
    prefixes they use, which needs the whole document at once; N-Triples and N-Quads stream.
    """
    if fmt.name == "jsonld":
        return Outcome(fmt.media_type, iter([compact(statements(services, graph, NQUADS))]))
    if fmt.name in PREFIXED:
        plain = statements(services, graph, NQUADS if fmt.quads else NTRIPLES)
        return Outcome(fmt.media_type, iter([prefixed(plain, fmt)]))
    if graph is None and not fmt.quads:
        return services.run_query(UNION, lambda form: fmt.media_type)
    return services.backend.export(graph, fmt.media_type, services.settings.query_timeout)


def statements(services: Services, graph: str | None, media_type: str) -> bytes:
    """Return a graph, the dataset (N-Quads) or the union of all graphs (N-Triples) at once."""
    if graph is None and media_type == NTRIPLES:
        return services.run_query(UNION, lambda form: NTRIPLES).read_all()
    return services.backend.export(graph, media_type, services.settings.query_timeout).read_all()


def prefixed(plain: bytes, fmt: Format) -> bytes:
    """Rewrite N-Triples or N-Quads in a format with prefixes, declaring only those it uses."""
    found = list(parse(plain, format=rdf_format(NQUADS if fmt.quads else NTRIPLES)))
    written = serialize(found, format=rdf_format(fmt.media_type), prefixes=used_prefixes(found))
    return written or b""
