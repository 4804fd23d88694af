"""The SPARQL 1.1 Protocol endpoint at /sparql: queries, updates and the service description."""

from __future__ import annotations

from flask import Blueprint, Response, request
from pyoxigraph import serialize

from kg.execution.formats import rdf_format
from kg.protocol.description import service_description
from kg.protocol.negotiate import GRAPH_FORMATS, SOLUTION_FORMATS, negotiate
from kg.protocol.request import QueryRequest, UpdateRequest, parse_request, with_base
from kg.web import pages, services
from kg.web.auth import require_writer
from kg.web.bodies import read_body
from kg.web.streaming import outcome_response, with_charset

blueprint = Blueprint("sparql", __name__)

HTML = "text/html"
VARY = {"Vary": "Accept"}


@blueprint.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer a SPARQL Protocol request."""
    operation = parse_request(
        request.method,
        request.headers.get("Content-Type"),
        request.args.items(multi=True),
        read_body() if request.method == "POST" else b"",
    )
    if operation is None:
        return describe()
    if isinstance(operation, UpdateRequest):
        return update(operation)
    return query(operation)


def query(operation: QueryRequest) -> Response:
    """Run a query and stream its result in the format the client accepts."""
    accept = request.headers.get("Accept")

    def choose(form: str) -> str:
        offers = SOLUTION_FORMATS if form in ("SELECT", "ASK") else GRAPH_FORMATS
        return negotiate(accept, offers)

    text = with_base(operation.text, request.base_url)
    outcome = services().run_query(text, choose, operation.dataset, operation.timeout)
    return outcome_response(outcome, VARY)


def update(operation: UpdateRequest) -> Response:
    """Apply an update for a writer holding the token."""
    found = services()
    require_writer(request.headers.get("Authorization"), found.settings.write_token)
    found.run_update(operation.text, operation.dataset)
    return Response(status=204)


def describe() -> Response:
    """Give browsers the query page and machines the Service Description."""
    chosen = negotiate(request.headers.get("Accept"), (*GRAPH_FORMATS, (HTML,)))
    if chosen == HTML:
        response = pages.query_page()
    else:
        triples = service_description(request.base_url, services().backend.graph_names())
        body = serialize(triples, format=rdf_format(chosen)) or b""
        response = Response(body, content_type=with_charset(chosen))
    response.headers.update(VARY)
    return response
