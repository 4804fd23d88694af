"""The one table of formats: what each is called, where it is served and how it is written.

Everything that names a format reads it from here: the endpoint's negotiation (by query form),
the Graph Store, the pages' RDF twins, the downloads, ``kg query --format``, the error responses
and the Service Description and VoID (``sd:resultFormat``), so what is described is what is served.

>>> [f.media_type for f in offered_for("ASK")]
['application/sparql-results+json', 'application/sparql-results+xml']
>>> by_media_type("application/x-turtle").name
'turtle'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pyoxigraph import QueryResultsFormat, RdfFormat

from kg.errors import NotAcceptable
from kg.vocab import FORMATS

Kind = Literal["results", "rdf"]


@dataclass(frozen=True)
class Format:
    """One serialization, with the names clients and files use for it."""

    name: str
    """Short name: ``kg query --format`` and ``kg export --format``."""
    label: str
    media_type: str
    """The canonical media type, sent in Content-Type."""
    aliases: tuple[str, ...]
    """Other media types clients send for it in Accept."""
    extension: str
    kind: Kind
    w3c: str
    """The local name of its IRI under https://www.w3.org/ns/formats/."""
    boolean: bool = False
    """A results format that can carry an ASK answer (CSV and TSV define none)."""
    quads: bool = False
    """An RDF format that holds named graphs."""

    @property
    def offer(self) -> tuple[str, ...]:
        """Return the media types this format answers to, the canonical one first."""
        return (self.media_type, *self.aliases)

    @property
    def iri(self) -> str:
        """Return the W3C IRI that names the format."""
        return FORMATS + self.w3c


RESULT_FORMATS = (
    Format(
        "json",
        "SPARQL JSON",
        "application/sparql-results+json",
        ("application/json",),
        "srj",
        "results",
        "SPARQL_Results_JSON",
        boolean=True,
    ),
    Format(
        "xml",
        "SPARQL XML",
        "application/sparql-results+xml",
        ("application/xml", "text/xml"),
        "srx",
        "results",
        "SPARQL_Results_XML",
        boolean=True,
    ),
    Format("csv", "CSV", "text/csv", (), "csv", "results", "SPARQL_Results_CSV"),
    Format("tsv", "TSV", "text/tab-separated-values", (), "tsv", "results", "SPARQL_Results_TSV"),
)
"""Formats of SELECT (all) and ASK (those with ``boolean``) answers; SPARQL JSON first."""

RDF_FORMATS = (
    Format(
        "turtle",
        "Turtle",
        "text/turtle",
        ("application/x-turtle", "application/turtle"),
        "ttl",
        "rdf",
        "Turtle",
    ),
    Format("ntriples", "N-Triples", "application/n-triples", (), "nt", "rdf", "N-Triples"),
    Format(
        "jsonld",
        "JSON-LD",
        "application/ld+json",
        ("application/json",),
        "jsonld",
        "rdf",
        "JSON-LD",
        quads=True,
    ),
    Format(
        "rdfxml",
        "RDF/XML",
        "application/rdf+xml",
        ("application/xml", "text/xml"),
        "rdf",
        "rdf",
        "RDF_XML",
    ),
    Format(
        "trig",
        "TriG",
        "application/trig",
        ("application/x-trig",),
        "trig",
        "rdf",
        "TriG",
        quads=True,
    ),
    Format(
        "nquads",
        "N-Quads",
        "application/n-quads",
        ("text/x-nquads",),
        "nq",
        "rdf",
        "N-Quads",
        quads=True,
    ),
)
"""Formats of CONSTRUCT and DESCRIBE answers, graphs and exports; Turtle first."""

ALL_FORMATS = RESULT_FORMATS + RDF_FORMATS

GRAPH_STORE_BODIES = (
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "text/n3",
)
"""Media types a Graph Store write may carry (N3 is read, never written)."""


def offered_for(form: str) -> tuple[Format, ...]:
    """Return the formats an answer of a query form can be written in, default first."""
    if form == "SELECT":
        return RESULT_FORMATS
    if form == "ASK":
        return tuple(f for f in RESULT_FORMATS if f.boolean)
    return RDF_FORMATS


def graph_formats(*, quads: bool | None = None) -> tuple[Format, ...]:
    """Return the RDF formats, or only those that do (or do not) hold named graphs."""
    return tuple(f for f in RDF_FORMATS if quads is None or f.quads == quads)


def by_name(name: str) -> Format:
    """Return the format with this short name.

    >>> by_name("csv").media_type
    'text/csv'
    """
    for found in ALL_FORMATS:
        if found.name == name:
            return found
    raise KeyError(name)


def by_media_type(media_type: str, kind: Kind | None = None) -> Format:
    """Return the format a canonical media type or an alias names (of one kind, if given)."""
    wanted = media_type.partition(";")[0].strip().lower()
    for found in ALL_FORMATS:
        if (kind is None or found.kind == kind) and wanted in found.offer:
            return found
    raise NotAcceptable(f"{media_type} is not a format this server writes")


def results_format(media_type: str) -> QueryResultsFormat:
    """Return pyoxigraph's writer for a results media type."""
    found = QueryResultsFormat.from_media_type(by_media_type(media_type, "results").media_type)
    assert found is not None, media_type
    return found


def rdf_format(media_type: str) -> RdfFormat:
    """Return pyoxigraph's parser or writer for an RDF media type (N3 included, for reading)."""
    if media_type.partition(";")[0].strip().lower() == "text/n3":
        return RdfFormat.N3
    found = RdfFormat.from_media_type(by_media_type(media_type, "rdf").media_type)
    assert found is not None, media_type
    return found
