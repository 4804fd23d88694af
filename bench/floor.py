"""The floor server: the smallest honest Flask + pyoxigraph SPARQL endpoint, with no safety.

What a query costs when nothing stands between Flask and the engine: no deadline, no limits, no
policy, no cache, no log; the store opened read-only once per gunicorn worker process (after
the fork) and results serialized natively in the format the Accept header names. The benchmark
serves it with gunicorn's sync workers, as many as kg has HTTP workers:

    FLOOR_STORE=DIR gunicorn -k sync -w 2 bench.floor:app
"""

from __future__ import annotations

import os
from functools import cache

from flask import Flask, Response, request
from pyoxigraph import QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, Store

app = Flask(__name__)


@cache
def store() -> Store:
    """Open the store read-only in this process, on its first query."""
    return Store.read_only(os.environ["FLOOR_STORE"])


@app.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """Evaluate the query and serialize it in the format asked for (SPARQL JSON by default)."""
    result = store().query(request.values["query"])
    accept = request.headers.get("Accept", "")
    if isinstance(result, QuerySolutions | QueryBoolean):
        solutions = QueryResultsFormat.from_media_type(accept) or QueryResultsFormat.JSON
        body = result.serialize(format=solutions)
        return Response(body, content_type=solutions.media_type)
    graph = RdfFormat.from_media_type(accept) or RdfFormat.N_TRIPLES
    return Response(result.serialize(format=graph), content_type=graph.media_type)
