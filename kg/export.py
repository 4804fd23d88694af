"""Export the whole dataset or one graph in a named format; used by the web and by ``kg export``."""

from __future__ import annotations

from dataclasses import dataclass

from kg.errors import BadRequest
from kg.execution.base import Outcome
from kg.jsonld import compact
from kg.pipeline import Services


@dataclass(frozen=True)
class ExportFormat:
    """A download format: its short name, media type, file extension and whether it holds graphs."""

    name: str
    label: str
    media_type: str
    extension: str
    quads: bool


EXPORT_FORMATS = {
    f.name: f
    for f in (
        ExportFormat("turtle", "Turtle", "text/turtle", "ttl", quads=False),
        ExportFormat("trig", "TriG", "application/trig", "trig", quads=True),
        ExportFormat("nquads", "N-Quads", "application/n-quads", "nq", quads=True),
        ExportFormat("ntriples", "N-Triples", "application/n-triples", "nt", quads=False),
        ExportFormat("jsonld", "JSON-LD", "application/ld+json", "jsonld", quads=True),
        ExportFormat("rdfxml", "RDF/XML", "application/rdf+xml", "rdf", quads=False),
    )
}

BY_EXTENSION = {f.extension: f for f in EXPORT_FORMATS.values()}

UNION = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"


def export_format(name: str) -> ExportFormat:
    """Return the export format with this name, or say which ones exist."""
    try:
        return EXPORT_FORMATS[name]
    except KeyError:
        raise BadRequest(
            f"no export format {name!r}; choose one of " + ", ".join(EXPORT_FORMATS)
        ) from None


def export(services: Services, graph: str | None, fmt: ExportFormat) -> Outcome:
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
