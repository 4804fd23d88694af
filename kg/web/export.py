"""Download links for the whole dataset and each graph in every format; the JSON-LD @context."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request

from kg.errors import BadRequest, NotFound
from kg.export import BY_EXTENSION, EXPORT_FORMATS, export
from kg.formats import Format
from kg.jsonld import CONTEXT_PATH, context_document
from kg.web import served_releases, services
from kg.web.pages.labels import Labels
from kg.web.pages.links import current_language
from kg.web.pages.reader import Reader
from kg.web.releases import release_path
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
    """List a download link for the dataset and for each graph, in every format, and releases."""
    found = services()
    graphs = found.backend.graph_names()
    labels = Labels.fetch(Reader(found), graphs, current_language())
    body = render_template(
        "download.html",
        formats=list(EXPORT_FORMATS.values()),
        graphs=graphs,
        labels=labels,
        releases=served_releases().catalog.releases()[::-1],
        release_path=release_path,
        context_path=CONTEXT_PATH,
    )
    # The releases listed change when one is published: no cache may keep this page.
    return Response(body, mimetype="text/html", headers={"Cache-Control": "no-store"})


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


def _format(extension: str) -> Format:
    """Return the format a file extension stands for."""
    try:
        return BY_EXTENSION[extension]
    except KeyError:
        raise NotFound(
            f"no download format .{extension}; use one of "
            + ", ".join("." + f.extension for f in EXPORT_FORMATS.values())
        ) from None


def _download(graph: str | None, fmt: Format, filename: str) -> Response:
    """Stream an export as an attachment."""
    outcome = export(services(), graph, fmt)
    disposition = {"Content-Disposition": f'attachment; filename="{filename}"'}
    return outcome_response(outcome, disposition)
