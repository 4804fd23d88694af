"""Queries against a release: its SPARQL endpoint and since-when.

``/release/VERSION/sparql`` answers the SPARQL 1.1 Protocol over that release alone, as
``/sparql?release=VERSION`` does; updates are refused. ``released_since`` is the Jinja global
entity pages call to say since which release a statement is in the graph.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request
from pyoxigraph import Literal, NamedNode, Quad

from kg.errors import Forbidden
from kg.protocol.negotiate import GRAPH_FORMATS, negotiate
from kg.protocol.request import UpdateOperation
from kg.web import served_releases, services, sparql

blueprint = Blueprint("release_queries", __name__)

IMMUTABLE = "public, max-age=31536000, immutable"


@blueprint.route("/release/<version>/sparql", methods=["GET", "POST"])
def endpoint(version: str) -> Response:
    """Answer the SPARQL Protocol over one release; updates are refused."""
    found = services(version)
    operation = sparql.read_operation(found)
    if operation is None:
        response = sparql.describe(found, negotiate(request.headers.get("Accept"), GRAPH_FORMATS))
        response.headers.update({"Cache-Control": IMMUTABLE, **sparql.VARY})
        return response
    if isinstance(operation, UpdateOperation):
        raise Forbidden(f"release {version} never changes; send updates to /sparql")
    return sparql.query(found, operation)


@blueprint.app_template_global("released_since")
def released_since(subject: str, predicate: str, value: Any, graph: str) -> str | None:
    """Return the release since which a statement is in every release, for entity pages.

    ``value`` is a result term with ``kind`` ("uri", "literal", "bnode"), ``value``, ``lang``
    and ``datatype``, as the pages read them from SPARQL JSON. A statement about a blank node
    has no release label to compare with, so it has no answer (None), as has one in no release.
    """
    if value.kind == "uri":
        term: NamedNode | Literal = NamedNode(value.value)
    elif value.kind == "literal":
        datatype = NamedNode(value.datatype) if value.datatype and not value.lang else None
        term = Literal(value.value, language=value.lang or None, datatype=datatype)
    else:
        return None
    quad = Quad(NamedNode(subject), NamedNode(predicate), term, NamedNode(graph))
    return served_releases().since(quad)
