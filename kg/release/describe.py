"""The DCAT/VoID description of a release, and the ontology stamped with the release's version.

A release is a ``dcat:Dataset`` with its own IRI (``<BASE>release/VERSION/``): its version, issue
date, the release it follows (``dcat:previousVersion``), what changed (``adms:versionNotes``),
its sizes per graph, its SPARQL endpoint and, for every file, a node with its download URL,
media type, size and SHA-256 (SPDX). The living dataset ``<BASE>id/dataset`` is the concept it
is a version of (as Zenodo's concept DOI is for its versioned DOIs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Triple, serialize

from kg import iris
from kg.jsonld import CONTEXT
from kg.release import names
from kg.release.canonical import canonical_quads
from kg.vocab import ADMS, DCAT, DCTERMS, OWL, RDF_TYPE, RDFS, SD, SPDX, VOID, XSD

RDFS_SEE_ALSO = RDFS + "seeAlso"
IANA = "https://www.iana.org/assignments/media-types/"

CONCEPT = iris.ID_NS + "dataset"
"""The dataset every release is a version of (the live VoID dataset)."""

PREFIXES = {
    **{k: v for k, v in CONTEXT.items() if k not in ("id", "graph")},
    "dcat": DCAT,
    "adms": ADMS,
    "spdx": SPDX,
}
"""Prefixes of the Turtle and TriG files of a release."""

FILE_TITLES = {
    names.DATASET_TRIG: "The dataset, every named graph (TriG)",
    names.DATASET_NQUADS: "The dataset, every named graph, one sorted statement a line (N-Quads)",
    names.DATASET_TURTLE: "The dataset as one graph, the union of all graphs (Turtle)",
    names.DATASET_JSONLD: "The dataset, every named graph, with the project's @context (JSON-LD)",
    names.ONTOLOGY_FILE: "The ontology at this release (Turtle)",
    names.PATCH_FILE: "Statements removed and added since the previous release (RDF Patch)",
    names.SUMMARY_FILE: "What changed since the previous release, for people (Markdown)",
}
DISTRIBUTIONS = (
    names.DATASET_TRIG,
    names.DATASET_NQUADS,
    names.DATASET_TURTLE,
    names.DATASET_JSONLD,
)


@dataclass(frozen=True)
class FileFacts:
    """What the description says about one file of a release."""

    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class ReleaseFacts:
    """Everything the description of a release states."""

    version: str
    issued: str
    previous: str | None
    notes: str
    quads: list[Quad]
    files: list[FileFacts]


def node(value: str) -> NamedNode:
    """Return a named node."""
    return NamedNode(value)


def typed(value: object, datatype: str) -> Literal:
    """Return a literal of an XSD datatype."""
    return Literal(str(value), datatype=NamedNode(XSD + datatype))


def graph_sizes(quads: Iterable[Quad]) -> Counter[str]:
    """Count the statements of each named graph (the default graph under "")."""
    return Counter(getattr(q.graph_name, "value", "") for q in quads)


def description(facts: ReleaseFacts) -> list[Triple]:
    """Return the triples describing a release and its files."""
    release = node(names.release_iri(facts.version))
    triples = [
        Triple(release, node(RDF_TYPE), node(DCAT + "Dataset")),
        Triple(release, node(RDF_TYPE), node(VOID + "Dataset")),
        Triple(
            release,
            node(DCTERMS + "title"),
            Literal(f"Peru–Ecuador knowledge graph, release {facts.version}", language="en"),
        ),
        Triple(
            release,
            node(DCTERMS + "title"),
            Literal(f"Grafo de conocimiento Perú–Ecuador, versión {facts.version}", language="es"),
        ),
        Triple(release, node(DCAT + "version"), Literal(facts.version)),
        Triple(release, node(DCTERMS + "issued"), typed(facts.issued, "dateTime")),
        Triple(release, node(DCTERMS + "isVersionOf"), node(CONCEPT)),
        Triple(node(CONCEPT), node(DCAT + "hasVersion"), release),
        Triple(release, node(ADMS + "versionNotes"), Literal(facts.notes, language="en")),
        Triple(release, node(VOID + "triples"), typed(len(facts.quads), "integer")),
        Triple(release, node(VOID + "uriSpace"), Literal(iris.ID_NS)),
        Triple(
            release, node(VOID + "sparqlEndpoint"), node(names.file_iri(facts.version, "sparql"))
        ),
        Triple(
            release,
            node(DCTERMS + "conformsTo"),
            node(names.ontology_version_iri(facts.version)),
        ),
    ]
    if facts.previous is not None:
        triples.append(
            Triple(release, node(DCAT + "previousVersion"), node(names.release_iri(facts.previous)))
        )
    for graph, size in sorted(graph_sizes(facts.quads).items()):
        if not graph:
            continue
        subset = BlankNode()
        triples += [
            Triple(release, node(VOID + "subset"), subset),
            Triple(subset, node(RDF_TYPE), node(SD + "NamedGraph")),
            Triple(subset, node(SD + "name"), node(graph)),
            Triple(subset, node(VOID + "triples"), typed(size, "integer")),
        ]
    for facts_of_file in facts.files:
        triples += describe_file(release, facts.version, facts_of_file)
    return triples


def describe_file(release: NamedNode, version: str, file: FileFacts) -> list[Triple]:
    """Return the triples giving one file's link, media type, size and checksum."""
    target = node(names.file_iri(version, file.name))
    checksum = BlankNode()
    if file.name in DISTRIBUTIONS:
        link = [
            Triple(release, node(DCAT + "distribution"), target),
            Triple(release, node(VOID + "dataDump"), target),
        ]
    elif file.name == names.ONTOLOGY_FILE:
        link = []
    else:
        link = [Triple(release, node(RDFS_SEE_ALSO), target)]
    return [
        *link,
        Triple(target, node(RDF_TYPE), node(DCAT + "Distribution")),
        Triple(target, node(DCTERMS + "title"), Literal(FILE_TITLES[file.name], language="en")),
        Triple(target, node(DCAT + "downloadURL"), target),
        Triple(target, node(DCAT + "mediaType"), node(IANA + names.MEDIA_TYPES[file.name])),
        Triple(target, node(DCAT + "byteSize"), typed(file.size, "nonNegativeInteger")),
        Triple(target, node(SPDX + "checksum"), checksum),
        Triple(checksum, node(RDF_TYPE), node(SPDX + "Checksum")),
        Triple(checksum, node(SPDX + "algorithm"), node(SPDX + "checksumAlgorithm_sha256")),
        Triple(checksum, node(SPDX + "checksumValue"), typed(file.sha256, "hexBinary")),
    ]


def description_turtle(facts: ReleaseFacts) -> bytes:
    """Return the description of a release as Turtle, its blank nodes labelled canonically."""
    quads = canonical_quads(Quad(t.subject, t.predicate, t.object) for t in description(facts))
    return turtle(Triple(q.subject, q.predicate, q.object) for q in quads)


def turtle(triples: Iterable[Triple]) -> bytes:
    """Serialize triples as Turtle, grouped by subject, declaring the prefixes they use."""
    ordered = sorted(triples, key=str)
    return serialize(ordered, format=RdfFormat.TURTLE, prefixes=used_prefixes(ordered)) or b""


def used_prefixes(statements: Iterable[Triple | Quad]) -> dict[str, str]:
    """Return the release prefixes whose namespace some IRI of the statements starts with."""
    found: set[str] = set()
    for statement in statements:
        for term in (statement.subject, statement.predicate, statement.object):
            value = term.datatype.value if isinstance(term, Literal) else getattr(term, "value", "")
            found.update(k for k, ns in PREFIXES.items() if value.startswith(ns))
    return {k: PREFIXES[k] for k in sorted(found)}


VERSION_PROPERTIES = (OWL + "versionIRI", OWL + "versionInfo", OWL + "priorVersion")


def stamp_ontology(quads: Iterable[Quad], version: str, previous: str | None) -> list[Quad]:
    """Give the ontology this release's version IRI and number, and its prior version."""
    graph = node(iris.ONTOLOGY_GRAPH)
    ontology = node(iris.ONTOLOGY)
    kept = [
        q
        for q in quads
        if not (
            q.graph_name == graph
            and q.subject == ontology
            and q.predicate.value in VERSION_PROPERTIES
        )
    ]
    if not any(q.graph_name == graph and q.subject == ontology for q in kept):
        return kept
    stamped = [
        Quad(ontology, node(OWL + "versionIRI"), node(names.ontology_version_iri(version)), graph),
        Quad(ontology, node(OWL + "versionInfo"), Literal(version), graph),
    ]
    if previous is not None:
        stamped.append(
            Quad(
                ontology,
                node(OWL + "priorVersion"),
                node(names.ontology_version_iri(previous)),
                graph,
            )
        )
    return kept + stamped
