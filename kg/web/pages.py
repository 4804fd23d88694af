"""Placeholder blueprint for the linked-data pages, filled by its own issue."""

from flask import Blueprint, Response

blueprint = Blueprint("pages", __name__)


def query_page() -> Response:
    """Return the HTML query page that browsers get at GET /sparql without a query."""
    return Response(
        "<!doctype html><title>SPARQL endpoint</title><p>Send a query with ?query=</p>",
        mimetype="text/html",
    )
