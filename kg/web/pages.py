"""The pages people read: landing page, query editor, class listings; the shared page helpers."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, render_template, request

from kg import iris
from kg.errors import BadRequest
from kg.web import entity, pages_examples, pages_landing
from kg.web.pages_labels import DEFAULT_LANGUAGE, compact, language_of
from kg.web.pages_negotiation import REPRESENTATIONS
from kg.web.security import linkable

blueprint = Blueprint("pages", __name__)
blueprint.register_blueprint(entity.blueprint)


def current_language() -> str:
    """Return the language the reader asked for with ?lang=."""
    return language_of(request.args.get("lang"))


def local(path: str) -> str:
    """Return a local link that keeps the reader's language."""
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return path
    fragment = ""
    if "#" in path:
        path, fragment = path.split("#", 1)
        fragment = "#" + fragment
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}lang={language}{fragment}"


def href(iri: str) -> str:
    """Return where a link to an IRI goes: the local page for minted IRIs, else the IRI."""
    if iris.is_minted(iri):
        return local(quote(iris.path_of(iri), safe="/:@!$&'()*+,;=-._~%"))
    return iri if linkable(iri) else "#"


def switch_lang(code: str) -> str:
    """Return the current page in another language."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    if code != DEFAULT_LANGUAGE:
        args["lang"] = code
    query = urlencode(args)
    return request.path + ("?" + query if query else "")


@blueprint.app_context_processor
def page_helpers() -> dict[str, Any]:
    """Give every template the link, label and language helpers."""
    language = current_language()

    def t(english: str, spanish: str) -> str:
        return spanish if language == "es" else english

    return {
        "lang": language,
        "t": t,
        "local": local,
        "href": href,
        "switch_lang": switch_lang,
        "is_minted": iris.is_minted,
        "path_of": iris.path_of,
        "compact": compact,
        "representations": REPRESENTATIONS,
        "base_iri": iris.BASE,
    }


def editor_context() -> dict[str, Any]:
    """Return what the query editor needs: the examples, also as JSON for the script."""
    examples = pages_examples.examples()
    data = {e.name: {"title": e.title, "query": e.text} for e in examples}
    # "<" escaped so no query text can close the <script> element that carries it.
    encoded = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return {"examples": examples, "examples_json": encoded}


@blueprint.get("/")
def landing() -> Response:
    """Show what the graph holds, the main entities, the exports and the query editor."""
    language = current_language()
    summary = pages_landing.summarize(language)
    body = render_template("landing.html", summary=summary, **editor_context())
    return Response(body, mimetype="text/html")


def query_page() -> Response:
    """Return the HTML query page that browsers get at GET /sparql without a query."""
    return Response(render_template("query.html", **editor_context()), mimetype="text/html")


@blueprint.get("/browse")
def browse() -> Response:
    """List the minted instances of one class (?class=IRI)."""
    classes = request.args.getlist("class")
    if len(classes) != 1:
        raise BadRequest("name exactly one class: /browse?class=IRI")
    members, labels = pages_landing.members(classes[0], current_language())
    body = render_template("browse.html", class_iri=classes[0], members=members, labels=labels)
    return Response(body, mimetype="text/html")
