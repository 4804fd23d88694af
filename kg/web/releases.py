"""Releases, served read-only: their files byte for byte, a page each, a SPARQL endpoint each.

==========================  ==============================================================
/release/                   every release, newest first (HTML; the DCAT catalog as Turtle)
/release/latest/PATH        a redirect to /release/<newest version>/PATH
/release/VERSION/           the release's page (HTML; its description.ttl as Turtle)
/release/VERSION/FILE       one file of the release, exactly as written, cacheable for a year
/release/VERSION/sparql     the SPARQL 1.1 Protocol over that release alone (release_queries)
/sparql?release=VERSION     the same, for clients that keep one endpoint URL (kg.web.sparql)
==========================  ==============================================================

A release never changes, so its files, pages and answers are marked immutable. The listings
change when a release is published, so they are marked ``no-store`` (the response cache and
browsers keep no copy).
"""

from __future__ import annotations

import base64

from flask import Blueprint, Response, redirect, render_template, request
from flask.helpers import send_file
from werkzeug.wrappers import Response as WerkzeugResponse

from kg import iris
from kg.errors import NotFound
from kg.protocol.negotiate import negotiate
from kg.release import names
from kg.release.catalog import catalog_triples
from kg.release.describe import turtle
from kg.release.names import LATEST
from kg.web import release_queries, served_releases
from kg.web.release_queries import IMMUTABLE
from kg.web.streaming import with_charset

blueprint = Blueprint("releases", __name__)
blueprint.register_blueprint(release_queries.blueprint)

LISTING = "no-store"
HTML = "text/html"
TURTLE = "text/turtle"
PAGE_OFFERS = ((HTML, "application/xhtml+xml"), (TURTLE, "application/x-turtle"))


def release_path(version: str, rest: str = "") -> str:
    """Return the local path of a release (or of one of its files)."""
    return iris.path_of(names.release_iri(version)) + rest


@blueprint.get("/release/")
def index() -> Response:
    """List the releases, newest first; machines get the DCAT catalog."""
    every = served_releases().catalog.releases()
    chosen = negotiate(request.headers.get("Accept"), PAGE_OFFERS)
    if chosen == TURTLE:
        response = Response(turtle(catalog_triples(every)), content_type=with_charset(TURTLE))
    else:
        body = render_template("releases.html", releases=every[::-1], path=release_path)
        response = Response(body, mimetype=HTML)
    response.headers.update({"Cache-Control": LISTING, "Vary": "Accept"})
    response.headers["Link"] = f'</release/>; rel="alternate"; type="{TURTLE}"'
    return response


@blueprint.get("/release")
def index_without_slash() -> WerkzeugResponse:
    """Send /release to the listing."""
    return redirect("/release/", 308)


@blueprint.get("/release/latest")
@blueprint.get("/release/latest/")
@blueprint.get("/release/latest/<path:rest>")
def latest(rest: str = "") -> WerkzeugResponse:
    """Redirect to the same path in the newest release (a redirect that moves: never cached)."""
    newest = served_releases().find(LATEST)
    query = request.query_string.decode("latin-1")
    target = release_path(newest.version, rest) + ("?" + query if query else "")
    response = redirect(target, 302)
    response.headers["Cache-Control"] = LISTING
    return response


@blueprint.get("/release/<version>")
def release_without_slash(version: str) -> WerkzeugResponse:
    """Send /release/VERSION to the release's page."""
    served_releases().find(version)
    return redirect(release_path(version), 308)


@blueprint.get("/release/<version>/")
def page(version: str) -> Response:
    """Show a release: its date, predecessor, files and changes; machines get its description."""
    release = served_releases().find(version)
    chosen = negotiate(request.headers.get("Accept"), PAGE_OFFERS)
    if chosen == TURTLE:
        description = release.file(names.DESCRIPTION_FILE).read_bytes()
        response = Response(description, content_type=with_charset(TURTLE))
    else:
        changes = release.file(names.SUMMARY_FILE).read_text(encoding="utf-8")
        sizes = {name: release.file(name).stat().st_size for name in release.files}
        body = render_template(
            "release.html",
            release=release,
            iri=names.release_iri(version),
            sizes=sizes,
            changes=changes,
            path=release_path,
        )
        response = Response(body, mimetype=HTML)
    link = release_path(version, names.DESCRIPTION_FILE)
    response.headers.update({"Cache-Control": IMMUTABLE, "Vary": "Accept"})
    response.headers["Link"] = f'<{link}>; rel="alternate"; type="{TURTLE}"'
    return response


@blueprint.get("/release/<version>/<name>")
def download(version: str, name: str) -> Response:
    """Send one file of a release exactly as written, with its SHA-256 in Repr-Digest."""
    release = served_releases().find(version)
    if name not in release.files:
        raise NotFound(f"release {version} has no file {name!r}; it has {', '.join(release.files)}")
    response = send_file(
        release.file(name),
        mimetype=names.MEDIA_TYPES[name],
        conditional=True,
        etag=False,
        max_age=None,
    )
    response.headers["Cache-Control"] = IMMUTABLE
    digest = release.checksums.get(name)
    if digest is not None:
        encoded = base64.b64encode(bytes.fromhex(digest)).decode()
        response.headers["Repr-Digest"] = f"sha-256=:{encoded}:"
    return response
