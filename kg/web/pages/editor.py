"""The query editor: the page browsers get at GET /sparql, also embedded in the landing page."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, render_template

from kg.settings import Settings
from kg.web import services
from kg.web.pages.examples import read_examples


def editor_context(settings: Settings) -> dict[str, Any]:
    """Return what the query editor needs: the examples, also as JSON for its script."""
    examples = read_examples(settings.examples)
    data = {e.name: {"title": e.title, "query": e.text} for e in examples}
    # "<" escaped so no query text can close the <script> element that carries it.
    encoded = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return {"examples": examples, "examples_json": encoded}


def query_page() -> Response:
    """Return the HTML query page that browsers get at GET /sparql without a query."""
    body = render_template("query.html", **editor_context(services().settings))
    return Response(body, mimetype="text/html")
