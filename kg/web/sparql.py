"""The SPARQL 1.1 Protocol endpoint at /sparql: queries, updates and the service description."""

from __future__ import annotations

from flask import Blueprint, Response, request
from pyoxigraph import serialize

from kg.formats import rdf_format
from kg.pipeline import Services
from kg.protocol.description import service_description
from kg.protocol.negotiate import GRAPH_FORMATS, negotiate, offers_for
from kg.protocol.request import QueryOperation, UpdateOperation, parse_request
from kg.web import access_log, services
from kg.web.auth import require_writer
from kg.web.bodies import read_body
from kg.web.pages.editor import query_page
from kg.web.streaming import outcome_response, with_charset

blueprint = Blueprint("sparql", __name__)

HTML = "text/html"
VARY = {"Vary": "Accept"}


@blueprint.route("/sparql", methods=["GET", "POST"])
def endpoint() -> Response:
    """Answer a SPARQL Protocol request (over a dated release when it says ``release=``)."""
    operation = read_operation(services())
    if operation is None:
        chosen = negotiate(request.headers.get("Accept"), (*GRAPH_FORMATS, (HTML,)))
        response = query_page() if chosen == HTML else describe(services(), chosen)
        response.headers.update(VARY)
        return response
    if isinstance(operation, UpdateOperation):
        return update(operation)
    return query(services(operation.release), operation)


def read_operation(found: Services) -> QueryOperation | UpdateOperation | None:
    """Read the request's operation (None for a bare GET) and note its text for the access log."""
    operation = parse_request(
        request.method,
        request.headers.get("Content-Type"),
        request.args.items(multi=True),
        read_body() if request.method == "POST" else b"",
        found.settings.max_query_length,
    )
    if operation is not None:
        access_log.note_text(operation.text)
    return operation


def query(found: Services, operation: QueryOperation) -> Response:
    """Run a query and stream its result in the format the client accepts for its form."""
    accept = request.headers.get("Accept")
    outcome = found.run_query(
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


def describe(found: Services, media_type: str) -> Response:
    """Return the Service Description of the endpoint answering this request."""
    triples = service_description(request.base_url, found.backend.graph_names())
    body = serialize(triples, format=rdf_format(media_type)) or b""
    return Response(body, content_type=with_charset(media_type))
