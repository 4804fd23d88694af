"""The query page (``/query``): example questions, the editor, and results that keep their state.

The page's URL holds the query: ``/query?query=TEXT`` opens the editor with that text and runs
it (a shared link, a bookmark, Back), ``/query?example=NAME`` opens one of the examples, and
every run writes ``?query=`` into the address bar (``static/query.js``). Browsers that ask
``GET /sparql`` without a query get the same page.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, render_template, request

from kg.errors import BadRequest, NotFound
from kg.graph.void import Example
from kg.settings import Settings
from kg.vocab import PREFIXES
from kg.web import services
from kg.web.pages.examples import read_examples

blueprint = Blueprint("editor", __name__)

STARTER = """PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

# Question: who are the people of the story?
SELECT ?person ?name WHERE {
  ?person a schema:Person ; rdfs:label ?name .
  FILTER(LANG(?name) = "en")
} ORDER BY ?name
"""
"""What the editor opens with when the address names no query."""


def script_json(data: object) -> str:
    """Return JSON safe inside a <script> element ("<" escaped so no text can close it)."""
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def chosen_text(examples: list[Example], query: str | None, example: str | None) -> str | None:
    """Return the text the page opens with: the asked query, the named example, or None."""
    if query is not None and example is not None:
        raise BadRequest("give either ?query= or ?example=, not both")
    if example is None:
        return query
    found = next((e for e in examples if e.name == example), None)
    if found is None:
        raise NotFound(f"no example query named {example!r}; /query lists them")
    return found.text


def editor_context(settings: Settings, query: str | None, example: str | None) -> dict[str, Any]:
    """Return what the query page needs: the examples, the opening text, the prefixes."""
    examples = read_examples(settings.examples)
    text = chosen_text(examples, query, example)
    data = {e.name: {"title": e.title, "title_es": e.title_es, "query": e.text} for e in examples}
    return {
        "examples": examples,
        "examples_json": script_json(data),
        "prefixes_json": script_json(PREFIXES),
        "query_text": text if text is not None else STARTER,
        "run_on_load": text is not None,
    }


def query_page() -> Response:
    """Return the HTML query page (at /query, and at GET /sparql for browsers)."""
    found = services()
    query, example = request.args.get("query"), request.args.get("example")
    if len(request.args.getlist("query")) > 1:
        raise BadRequest("give ?query= once")
    context = editor_context(found.settings, query, example)
    body = render_template("query.html", **context)
    return Response(body, mimetype="text/html")


@blueprint.get("/query")
def page() -> Response:
    """Show the query page, with the query of the URL in the editor."""
    return query_page()
