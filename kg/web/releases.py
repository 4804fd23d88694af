"""Releases, served read-only: their files byte for byte, a page each, a SPARQL endpoint each.

==========================  ==============================================================
/release/                   every release, newest first (HTML; the DCAT catalog as Turtle)
/release/latest/PATH        a redirect to /release/<newest version>/PATH
/release/VERSION/           the release's page (HTML; its description.ttl as Turtle)
/release/VERSION/FILE       one file of the release, exactly as written, cacheable for a year
/release/VERSION/sparql     the SPARQL 1.1 Protocol over that release alone; no updates
/sparql?release=VERSION     the same, for clients that keep one endpoint URL
==========================  ==============================================================

A release never changes, so its files, pages and answers are marked immutable. The listings
change when a release is published, so they are marked ``no-store`` (the response cache and
browsers keep no copy). A release's store is loaded in memory from its N-Quads file the first
time it is queried, and queried through the same path as the live data (policy, deadline,
streaming), so the same query gives that release's answer whatever the live data has become.
"""

from __future__ import annotations

import base64
import threading
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from flask import Blueprint, Response, current_app, redirect, render_template, request
from flask.blueprints import BlueprintSetupState
from flask.helpers import send_file
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, serialize
from werkzeug.wrappers import Response as WerkzeugResponse

from kg import iris
from kg.errors import BadRequest, Forbidden, NotFound
from kg.execution.embedded import EmbeddedBackend
from kg.execution.formats import rdf_format
from kg.pipeline import Services
from kg.protocol.description import service_description
from kg.protocol.negotiate import GRAPH_FORMATS, SOLUTION_FORMATS, negotiate
from kg.protocol.request import UpdateRequest, parse_request, with_base
from kg.release import names
from kg.release.catalog import Catalog, Release, catalog_triples
from kg.release.describe import turtle
from kg.release.history import History
from kg.web.streaming import outcome_response, with_charset

blueprint = Blueprint("releases", __name__)

EXTENSION = "kg.releases"
IMMUTABLE = "public, max-age=31536000, immutable"
LISTING = "no-store"
HTML = "text/html"
TURTLE = "text/turtle"
RELEASE_PARAMETER = "release"
FORM = "application/x-www-form-urlencoded"
PAGE_OFFERS = ((HTML, "application/xhtml+xml"), (TURTLE, "application/x-turtle"))


class Releases:
    """The releases one app serves: the catalog, each release's query services once asked."""

    def __init__(self, root: Path, live: Services) -> None:
        self.catalog = Catalog(root)
        self.live = live
        self._services: dict[str, Services] = {}
        self._history: History | None = None
        self._lock = threading.Lock()

    def find(self, version: str) -> Release:
        """Return a release, or a 404 that says which releases there are."""
        found = self.catalog.find(version)
        if found is None:
            known = ", ".join(r.version for r in self.catalog.releases()) or "none yet"
            raise NotFound(f"no release {version!r}; releases: {known} (listed at /release/)")
        return found

    def services(self, version: str) -> Services:
        """Return the query services over one release, loading its store the first time."""
        release = self.find(version)
        with self._lock:
            found = self._services.get(version)
            if found is None:
                found = self._services[version] = self._open(release)
        return found

    def _open(self, release: Release) -> Services:
        """Load a release's dataset into its own store, served like the live one."""
        store = Store()
        store.bulk_load(path=release.file(names.DATASET_NQUADS), format=RdfFormat.N_QUADS)
        settings = self.live.settings
        backend = EmbeddedBackend(
            store,
            workers=settings.max_concurrent_queries,
            row_cap=settings.result_row_cap,
            drain_timeout=settings.query_timeout,
        )
        return Services(settings, backend, self.live.policy)

    def since(self, quad: Quad) -> str | None:
        """Return the release since which a statement is in every release, or None.

        The hook for entity pages: "in the graph since release 1.2".
        """
        chain = self.catalog.chain()
        with self._lock:
            if self._history is None or self._history.chain != chain:
                self._history = History(chain)
            history = self._history
        return history.since(quad)


@blueprint.record_once
def attach(state: BlueprintSetupState) -> None:
    """Give the app its releases, from the folder its settings name."""
    live: Services = state.app.extensions["kg"]
    state.app.extensions[EXTENSION] = Releases(Path(live.settings.releases), live)


def releases() -> Releases:
    """Return the releases of the running app."""
    found: Releases = current_app.extensions[EXTENSION]
    return found


def release_path(version: str, rest: str = "") -> str:
    """Return the local path of a release (or of one of its files)."""
    return iris.path_of(names.release_iri(version)) + rest


@blueprint.get("/release/")
def index() -> Response:
    """List the releases, newest first; machines get the DCAT catalog."""
    every = releases().catalog.releases()
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
    newest = releases().catalog.latest()
    if newest is None:
        raise NotFound("no release yet; make one with `kg release VERSION`")
    query = request.query_string.decode("latin-1")
    target = release_path(newest.version, rest) + ("?" + query if query else "")
    response = redirect(target, 302)
    response.headers["Cache-Control"] = LISTING
    return response


@blueprint.get("/release/<version>")
def release_without_slash(version: str) -> WerkzeugResponse:
    """Send /release/VERSION to the release's page."""
    releases().find(version)
    return redirect(release_path(version), 308)


@blueprint.get("/release/<version>/")
def page(version: str) -> Response:
    """Show a release: its date, predecessor, files and changes; machines get its description."""
    release = releases().find(version)
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
    release = releases().find(version)
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


@blueprint.before_app_request
def release_parameter() -> Response | None:
    """Answer /sparql?release=VERSION over that release, as /release/VERSION/sparql does.

    The parameter may be in the URL or, for a form POST, in the body; ``latest`` names the
    newest release. Without this, the endpoint would ignore an unknown parameter and answer
    from the live data, which is exactly what the client asked not to get.
    """
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
    version = versions[0]
    if version == names.LATEST:
        newest = releases().catalog.latest()
        if newest is None:
            raise NotFound("no release yet; make one with `kg release VERSION`")
        version = newest.version
    return sparql(version)


def download_links() -> str:
    """Return the releases section of /download: each release with a link per file."""
    every = releases().catalog.releases()[::-1]
    if not every:
        return ""
    items = []
    for release in every:
        links = " · ".join(
            f'<a href="{release_path(release.version, name)}">{name}</a>' for name in release.files
        )
        items.append(
            f'<li><a href="{release_path(release.version)}">{release.version}</a> '
            f"({escape(release.issued)}): {links}</li>"
        )
    return (
        "<h2>Releases</h2><p>Dated copies that never change, to cite and to compare "
        '(<a href="/release/">all releases</a>, '
        '<a href="/release/latest/">the latest</a>):</p><ul>' + "".join(items) + "</ul>"
    )
