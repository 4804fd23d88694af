"""The SPARQL 1.1 Protocol endpoint at /sparql: queries, updates and the service description."""

from __future__ import annotations

from flask import Blueprint, Response, request
from pyoxigraph import serialize

from kg.formats import rdf_format
from kg.protocol.description import service_description
from kg.protocol.negotiate import GRAPH_FORMATS, negotiate, offers_for
from kg.protocol.request import QueryOperation, UpdateOperation, parse_request
from kg.web import access_log, services
from kg.web.auth import require_writer
from kg.web.pages.editor import query_page
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
        request.get_data(cache=False) if request.method == "POST" else b"",
        services().settings.max_query_length,
    )
    if operation is None:
        return describe()
    access_log.note_text(operation.text)
    if isinstance(operation, UpdateOperation):
        return update(operation)
    return query(operation)


def query(operation: QueryOperation) -> Response:
    """Run a query and stream its result in the format the client accepts for its form."""
    accept = request.headers.get("Accept")
    outcome = services().run_query(
        operation.text,
        lambda form: negotiate(accept, offers_for(form)),
        operation.dataset,
        operation.timeout,
    )
    return outcome_response(outcome, VARY)


def update(operation: UpdateOperation) -> Response:
    """Apply an update for a writer holding the token."""
    found = services()
    require_writer(request.headers.get("Authorization"), found.settings.write_token)
    found.run_update(operation.text, operation.dataset)
    return Response(status=204)


def describe() -> Response:
    """Give browsers the query page and machines the Service Description."""
    chosen = negotiate(request.headers.get("Accept"), (*GRAPH_FORMATS, (HTML,)))
    if chosen == HTML:
        response = query_page()
    else:
        triples = service_description(request.base_url, services().backend.graph_names())
        body = serialize(triples, format=rdf_format(chosen)) or b""
        response = Response(body, content_type=with_charset(chosen))
    response.headers.update(VARY)
    return response
