"""Browse by class: every class with its minted instances (``/browse``), and one class's members.

The story's own classes (people, places, agreements) come first; the graph's infrastructure
(annotations, selectors, statement nodes, VoID and SHACL descriptions) is listed after them, so
nothing the graph holds is out of reach but none of it crowds the story.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, render_template, request

from kg import iris
from kg.errors import BadRequest
from kg.vocab import OA, OWL, PROV, RDF, SCHEMA, SD, SH, SKOS, VOID, WIKIBASE
from kg.web import services
from kg.web.pages.labels import Labels
from kg.web.pages.links import current_language
from kg.web.pages.reader import Reader, checked_iri

blueprint = Blueprint("browse", __name__)

INFRASTRUCTURE = (OA, PROV, RDF, SD, SH, VOID, WIKIBASE, OWL)
"""Namespaces whose classes describe the graph itself rather than the story."""
INFRASTRUCTURE_CLASSES = frozenset(
    {
        SKOS + "ConceptScheme",
        iris.ONTOLOGY_NS + "Sentence",
        iris.ONTOLOGY_NS + "ClaimStatement",
        iris.ONTOLOGY_NS + "VerifiedStatement",
        iris.ONTOLOGY_NS + "VerifiedFact",
        SCHEMA + "Claim",
        SCHEMA + "ClaimReview",
        SCHEMA + "Rating",
        SCHEMA + "CreativeWork",
    }
)
"""Classes of the provenance and review machinery: reached from the story, listed apart."""


def is_infrastructure(class_iri: str) -> bool:
    """Tell whether a class describes the graph's machinery rather than the story."""
    return class_iri in INFRASTRUCTURE_CLASSES or class_iri.startswith(INFRASTRUCTURE)


@dataclass(frozen=True)
class ClassCount:
    """How many minted entities belong to one class."""

    iri: str
    count: int

    @property
    def infrastructure(self) -> bool:
        """Tell whether the class describes the graph's machinery rather than the story."""
        return is_infrastructure(self.iri)


def classes(reader: Reader, language: str) -> tuple[list[ClassCount], Labels]:
    """Return every class of a minted entity with how many it has, by label."""
    rows = reader.select(
        "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iris.ID_NS}") && isIRI(?class)) '
        f"FILTER NOT EXISTS {{ GRAPH <{iris.VOID_GRAPH}> {{ ?s a ?class }} }} }} GROUP BY ?class"
    )
    found = [ClassCount(row["class"].value, int(row["n"].value)) for row in rows]
    labels = Labels.fetch(reader, [c.iri for c in found], language)
    found.sort(key=lambda c: (labels.show(c.iri).lower(), c.iri))
    return found, labels


def members(reader: Reader, class_iri: str, language: str) -> tuple[list[tuple[str, str]], Labels]:
    """Return the minted instances of a class with their labels, sorted by label."""
    rows = reader.select(
        f"SELECT DISTINCT ?s WHERE {{ ?s a {checked_iri(class_iri)} "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iris.ID_NS}")) }} ORDER BY ?s'
    )
    found = [row["s"].value for row in rows]
    labels = Labels.fetch(reader, [*found, class_iri], language)
    return sorted(((i, labels.show(i)) for i in found), key=lambda p: (p[1].lower(), p[0])), labels


@blueprint.get("/browse")
def browse() -> Response:
    """List every class (no ?class=), or the minted instances of one class (?class=IRI)."""
    asked = request.args.getlist("class")
    if len(asked) > 1:
        raise BadRequest("name at most one class: /browse?class=IRI")
    reader = Reader(services())
    if not asked:
        found, labels = classes(reader, current_language())
        body = render_template("classes.html", classes=found, labels=labels)
        return Response(body, mimetype="text/html")
    listed, labels = members(reader, asked[0], current_language())
    body = render_template("browse.html", class_iri=asked[0], members=listed, labels=labels)
    return Response(body, mimetype="text/html")
