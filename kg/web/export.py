"""Download links for the whole dataset and each graph in every format; the JSON-LD @context."""

from __future__ import annotations

from html import escape
from urllib.parse import urlencode

from flask import Blueprint, Response, request, url_for

from kg.errors import BadRequest, NotFound
from kg.export import BY_EXTENSION, EXPORT_FORMATS, ExportFormat, export
from kg.jsonld import CONTEXT_PATH, context_document
from kg.web import releases, services
from kg.web.streaming import outcome_response

blueprint = Blueprint("export", __name__)

FILE_STEM = "peru-ecuador-kg"


@blueprint.get(CONTEXT_PATH)
def context() -> Response:
    """Serve the project's JSON-LD @context at its stable URL."""
    response = Response(context_document(), content_type="application/ld+json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@blueprint.get("/download")
def index() -> Response:
    """List a download link for the dataset and for each graph, in every format."""
    rows = [_links("The whole dataset", "export.dataset", {})]
    for graph in services().backend.graph_names():
        rows.append(_links(graph, "export.graph", {"graph": graph}))
    page = (
        "<!doctype html><meta charset=utf-8><title>Downloads</title><h1>Downloads</h1>"
        "<p>JSON-LD files are compacted with the "
        f'<a href="{CONTEXT_PATH}">project @context</a>. Turtle, N-Triples and RDF/XML cannot '
        "hold named graphs: the whole dataset in them is the union of all graphs.</p>"
        "<ul>" + "".join(rows) + "</ul>" + releases.download_links()
    )
    # The releases listed change when one is published: no cache may keep this page.
    return Response(
        page, content_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"}
    )


@blueprint.get("/download/dataset.<extension>")
def dataset(extension: str) -> Response:
    """Download the whole dataset."""
    fmt = _format(extension)
    return _download(None, fmt, f"{FILE_STEM}.{fmt.extension}")


@blueprint.get("/download/graph.<extension>")
def graph(extension: str) -> Response:
    """Download one named graph, given as ?graph=IRI."""
    fmt = _format(extension)
    names = request.args.getlist("graph")
    if len(names) != 1:
        raise BadRequest("name exactly one graph: /download/graph.ttl?graph=IRI")
    if not services().backend.has_graph(names[0]):
        raise NotFound(f"no graph named <{names[0]}>; /download lists the graphs")
    stem = names[0].rstrip("/").rsplit("/", 1)[-1] or FILE_STEM
    return _download(names[0], fmt, f"{stem}.{fmt.extension}")


def _format(extension: str) -> ExportFormat:
    """Return the format a file extension stands for."""
    try:
        return BY_EXTENSION[extension]
    except KeyError:
        raise NotFound(
            f"no download format .{extension}; use one of "
            + ", ".join("." + f.extension for f in EXPORT_FORMATS.values())
        ) from None


def _download(graph: str | None, fmt: ExportFormat, filename: str) -> Response:
    """Stream an export as an attachment."""
    outcome = export(services(), graph, fmt)
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return outcome_response(outcome, disposition)


def _links(label: str, endpoint: str, params: dict[str, str]) -> str:
    """Render one list item with a link per format."""
    links = []
    for fmt in EXPORT_FORMATS.values():
        href = url_for(endpoint, extension=fmt.extension)
        if params:
            href += "?" + urlencode(params)
        links.append(f'<a href="{escape(href)}">{fmt.label}</a>')
    return f"<li>{escape(label)}: {' · '.join(links)}</li>"
