"""The pages people read, one module per page kind, with their RDF twins.

- ``landing``: the story (``/``): the article, its review cards (``reviews``), its people and
  places with one line each (``oneline``), its timeline (``timeline``), the data;
- ``browse``: every class (``/browse``) and the minted instances of one (``/browse?class=IRI``);
- ``editor``: the query page (``/query``, and ``GET /sparql`` for browsers);
- ``search``: label search (``/search``, ``/search.json``), labels for the query page's results
  (``/labels.json``) and the 404 page's suggestions;
- ``entity``: every minted IRI (``/id/...``, ``/graph/...``, ``/ontology``), HTML or RDF, with
  ``entity_data``, ``provenance``, ``reviews`` and ``example_answer`` gathering what its page
  shows, and ``ontology`` the ontology's own documentation.

``labels``, ``dates`` and ``units`` say things as a reader reads them; ``links`` gives every
template its helpers.

Views read the running instance once and pass a ``Reader`` to the data functions, which take
everything they need as arguments and so run outside a request as well.
"""

from __future__ import annotations

from flask import Flask

from kg.web.pages import browse, editor, entity, landing, search
from kg.web.pages.links import page_helpers


def register(app: Flask) -> None:
    """Add the pages and the template helpers they share to an application."""
    app.context_processor(page_helpers)
    for module in (landing, browse, editor, search, entity):
        app.register_blueprint(module.blueprint)
