"""Export the whole dataset or one graph in a named format; used by the web and by ``kg export``."""

from __future__ import annotations

from kg.errors import BadRequest
from kg.execution.base import Outcome
from kg.formats import Format, by_name
from kg.jsonld import compact
from kg.pipeline import Services

EXPORT_FORMATS = {
    name: by_name(name) for name in ("turtle", "trig", "nquads", "ntriples", "jsonld", "rdfxml")
}
"""Every RDF format of the format table, by short name, in the order downloads list them."""

BY_EXTENSION = {f.extension: f for f in EXPORT_FORMATS.values()}

UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


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

    JSON-LD is compacted with the project's @context, which needs the whole document at once;
    every other format streams.
    """
    timeout = services.settings.query_timeout
    if fmt.name == "jsonld":
        nquads = services.backend.export(graph, "application/n-quads", timeout).read_all()
        return Outcome(fmt.media_type, iter([compact(nquads)]))
    if graph is None and not fmt.quads:
        return services.run_query(UNION, lambda form: fmt.media_type)
    return services.backend.export(graph, fmt.media_type, timeout)
