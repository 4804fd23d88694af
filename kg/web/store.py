"""The SPARQL 1.1 Graph Store Protocol at /store, with indirect graph identification.

``?default`` is the store's own default graph, ``?graph=IRI`` a named graph; /store alone is the
whole dataset (GET, HEAD) or the place where POST creates a new graph. Reads are open; writes need
the bearer token.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, request

from kg.errors import (
    BadRequest,
    MethodNotAllowed,
    NotFound,
    UnsupportedMediaType,
)
from kg.execution.base import DEFAULT_GRAPH
from kg.formats import GRAPH_STORE_BODIES, RDF_FORMATS, by_name
from kg.iris import GRAPH_NS
from kg.protocol.negotiate import Offer, negotiate
from kg.web import services
from kg.web.auth import require_writer
from kg.web.bodies import buffer_body, read_body

blueprint = Blueprint("store", __name__)

GRAPH_TYPES = GRAPH_STORE_BODIES
GRAPH_OFFERS: tuple[Offer, ...] = tuple(
    f.offer for f in RDF_FORMATS if f.name in ("turtle", "ntriples", "jsonld", "rdfxml")
)
"""A graph is read as Turtle, N-Triples, JSON-LD or RDF/XML."""
DATASET_OFFERS: tuple[Offer, ...] = (by_name("nquads").offer, by_name("trig").offer)
"""The whole store is read in a format that holds named graphs."""
METHODS = ["GET", "HEAD", "PUT", "POST", "DELETE"]


def selected_graph() -> str | None:
    """Return the graph a request names: DEFAULT_GRAPH, an IRI, or None for the whole store."""
    graphs = request.args.getlist("graph")
    has_default = "default" in request.args
    if len(graphs) > 1:
        raise BadRequest("give the graph parameter once")
    if graphs and has_default:
        raise BadRequest("give either ?default or ?graph=IRI, not both")
    if has_default:
        return DEFAULT_GRAPH
    if not graphs:
        return None
    iri = graphs[0]
    scheme, colon, _ = iri.partition(":")
    if (
        not colon
        or not scheme.isascii()
        or not scheme.isalpha()
        or any(c in iri for c in '<> "{}|\\^`')
    ):
        raise BadRequest(f"the graph parameter must be an absolute IRI; got {iri!r}")
    return iri


def body_format() -> str:
    """Return the media type of a write's body, checking that it is a graph format."""
    media_type = request.mimetype
    if media_type not in GRAPH_TYPES:
        raise UnsupportedMediaType(
            f"send the graph as one of {', '.join(GRAPH_TYPES)}; got {media_type or 'no type'}"
        )
    return media_type


def read(graph: str | None) -> Response:
    """Answer GET and HEAD: one graph, or the whole dataset in a quad format."""
    backend = services().backend
    if graph is not None and not backend.has_graph(graph):
        raise NotFound(f"no graph named <{graph}> in this store")
    offers = DATASET_OFFERS if graph is None else GRAPH_OFFERS
    media_type = negotiate(request.headers.get("Accept"), offers)
    if request.method == "HEAD":
        return Response(status=200, mimetype=media_type)
    outcome = backend.export(graph, media_type, services().settings.query_timeout)
    return Response(outcome.chunks, mimetype=media_type, headers=outcome.headers)


def write(graph: str | None) -> Response:
    """Answer PUT, POST and DELETE after checking the bearer token."""
    found = services()
    require_writer(request.headers.get("Authorization"), found.settings.write_token)
    backend = found.backend
    if request.method == "DELETE":
        if graph is None:
            raise MethodNotAllowed("DELETE needs ?default or ?graph=IRI", headers=allow(graph))
        if not backend.drop_graph(graph):
            raise NotFound(f"no graph named <{graph}> in this store")
        return Response(status=204)
    if request.mimetype == "multipart/form-data":
        return post_parts(graph)
    media_type = body_format()
    if graph is None:
        if request.method == "PUT":
            raise MethodNotAllowed("PUT needs ?default or ?graph=IRI", headers=allow(graph))
        graph = f"{GRAPH_NS}posted/{uuid.uuid4()}"
        backend.put_graph(graph, read_body(), media_type, replace=False)
        return Response(status=201, headers={"Location": graph})
    created = backend.put_graph(graph, read_body(), media_type, replace=request.method == "PUT")
    return Response(status=201 if created else 204)


def post_parts(graph: str | None) -> Response:
    """Merge every RDF file of a multipart POST into one graph, as the protocol allows."""
    if graph is None or request.method != "POST":
        raise UnsupportedMediaType("multipart/form-data is accepted only by POST to a graph")
    buffer_body()
    parts = [(part.mimetype, part.read()) for part in request.files.values()]
    for media_type, _ in parts:
        if media_type not in GRAPH_TYPES:
            raise UnsupportedMediaType(f"a part has the type {media_type or 'none'}, not RDF")
    created = False
    for media_type, data in parts:
        created |= services().backend.put_graph(graph, data, media_type, replace=False)
    return Response(status=201 if created else 204)


def allow(graph: str | None) -> dict[str, str]:
    """Return the Allow header for a store resource."""
    return {"Allow": "GET, HEAD, POST" if graph is None else ", ".join(METHODS)}


@blueprint.route("/store", methods=METHODS)
def graph_store() -> Response:
    """Serve the Graph Store Protocol."""
    graph = selected_graph()
    if request.method in ("GET", "HEAD"):
        return read(graph)
    return write(graph)
