"""Queries against a release: its SPARQL endpoint, ``release=`` on /sparql, and since-when.

``/release/VERSION/sparql`` answers the SPARQL 1.1 Protocol over that release alone; updates are
refused. ``/sparql?release=VERSION`` (in the URL or a form body) is answered the same way: the
protocol parser ignores parameters it does not know, so without this hook the live data would
answer a client that asked for a release. ``released_since`` is the Jinja global entity pages
call to say since which release a statement is in the graph.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from flask import Blueprint, Response, current_app, request
from flask.blueprints import BlueprintSetupState
from pyoxigraph import Literal, NamedNode, Quad, serialize

from kg.errors import BadRequest, Forbidden
from kg.execution.formats import rdf_format
from kg.pipeline import Services
from kg.protocol.description import service_description
from kg.protocol.negotiate import GRAPH_FORMATS, SOLUTION_FORMATS, negotiate
from kg.protocol.request import UpdateRequest, parse_request, with_base
from kg.release.serving import Releases
from kg.web.streaming import outcome_response, with_charset

blueprint = Blueprint("release_queries", __name__)

EXTENSION = "kg.releases"
IMMUTABLE = "public, max-age=31536000, immutable"
RELEASE_PARAMETER = "release"
FORM = "application/x-www-form-urlencoded"


@blueprint.record_once
def attach(state: BlueprintSetupState) -> None:
    """Give the app its releases, from the folder its settings name."""
    live: Services = state.app.extensions["kg"]
    state.app.extensions[EXTENSION] = Releases(Path(live.settings.releases), live)


def releases() -> Releases:
    """Return the releases of the running app."""
    found: Releases = current_app.extensions[EXTENSION]
    return found


@blueprint.route("/release/<version>/sparql", methods=["GET", "POST"])
def sparql(version: str) -> Response:
    """Answer the SPARQL Protocol over one release; updates are refused."""
    found = releases().services(version)
    operation = parse_request(
        request.method,
        request.headers.get("Content-Type"),
        request.args.items(multi=True),
        request.get_data(cache=False) if request.method == "POST" else b"",
    )
    if operation is None:
        chosen = negotiate(request.headers.get("Accept"), GRAPH_FORMATS)
        triples = service_description(request.base_url, found.backend.graph_names())
        body = serialize(triples, format=rdf_format(chosen)) or b""
        response = Response(body, content_type=with_charset(chosen))
        response.headers.update({"Cache-Control": IMMUTABLE, "Vary": "Accept"})
        return response
    if isinstance(operation, UpdateRequest):
        raise Forbidden(f"release {version} never changes; send updates to /sparql")
    accept = request.headers.get("Accept")

    def choose(form: str) -> str:
        return negotiate(accept, SOLUTION_FORMATS if form in ("SELECT", "ASK") else GRAPH_FORMATS)

    text = with_base(operation.text, request.base_url)
    outcome = found.run_query(text, choose, operation.dataset, operation.timeout)
    return outcome_response(outcome, {"Vary": "Accept"})


@blueprint.before_app_request
def release_parameter() -> Response | None:
    """Answer /sparql?release=VERSION (or ``latest``) over that release."""
    if request.path != "/sparql":
        return None
    versions = request.args.getlist(RELEASE_PARAMETER)
    if request.method == "POST" and request.mimetype == FORM:
        body = request.get_data(cache=True).decode("utf-8", errors="replace")
        versions += parse_qs(body, keep_blank_values=True).get(RELEASE_PARAMETER, [])
    if not versions:
        return None
    if len(versions) > 1:
        raise BadRequest(f"give the {RELEASE_PARAMETER} parameter once")
    return sparql(releases().find(versions[0]).version)


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
    return releases().since(quad)
