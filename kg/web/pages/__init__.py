"""The pages people read, one module per page kind, with their RDF twins.

- ``landing``: what the graph holds, the main entities, the query editor (``/``);
- ``browse``: the minted instances of a class (``/browse?class=IRI``);
- ``editor``: the query page browsers get at ``GET /sparql``;
- ``entity``: every minted IRI (``/id/...``, ``/graph/...``, ``/ontology``), HTML or RDF, with
  ``entity_data``, ``provenance`` and ``example_answer`` gathering what its page shows,
  ``ontology`` the ontology's own documentation and ``suggest`` the 404 page's suggestions.

Views read the running instance once and pass a ``Reader`` to the data functions, which take
everything they need as arguments and so run outside a request as well.
"""

from __future__ import annotations

from flask import Flask

from kg.web.pages import browse, entity, landing
from kg.web.pages.links import page_helpers


def register(app: Flask) -> None:
    """Add the pages and the template helpers they share to an application."""
    app.context_processor(page_helpers)
    for module in (landing, browse, entity):
        app.register_blueprint(module.blueprint)
