"""The page listing the minted instances of one class (``/browse?class=IRI``)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from kg import iris
from kg.errors import BadRequest
from kg.web import services
from kg.web.pages.labels import Labels
from kg.web.pages.links import current_language
from kg.web.pages.reader import Reader, checked_iri

blueprint = Blueprint("browse", __name__)


def members(reader: Reader, class_iri: str, language: str) -> tuple[list[tuple[str, str]], Labels]:
    """Return the minted instances of a class with their labels, sorted by label."""
    rows = reader.select(
        f"SELECT DISTINCT ?s WHERE {{ ?s a {checked_iri(class_iri)} "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iris.ID_NS}")) }} ORDER BY ?s'
    )
    found = [row["s"].value for row in rows]
    labels = Labels.fetch(reader, [*found, class_iri], language)
    return sorted(((i, labels.show(i)) for i in found), key=lambda p: p[1].lower()), labels


@blueprint.get("/browse")
def browse() -> Response:
    """List the minted instances of one class (?class=IRI)."""
    classes = request.args.getlist("class")
    if len(classes) != 1:
        raise BadRequest("name exactly one class: /browse?class=IRI")
    found, labels = members(Reader(services()), classes[0], current_language())
    body = render_template("browse.html", class_iri=classes[0], members=found, labels=labels)
    return Response(body, mimetype="text/html")
