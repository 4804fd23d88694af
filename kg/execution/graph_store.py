"""A client of a store's SPARQL 1.1 Graph Store Protocol endpoint, and where to find one.

Replacing a graph with one ``PUT`` is the portable way: the store parses the body itself, so
blank nodes stay whole, there is no form-size limit and the replacement is one transaction.
Where each tested or documented store serves it, beside its SPARQL endpoint:

=====================  ===========================================================
oxigraph serve         ``/store`` beside ``/query`` and ``/update``
Apache Jena Fuseki     ``/DATASET/data`` beside ``/DATASET/query`` (or ``/sparql``)
Virtuoso 7.2           ``/sparql-graph-crud`` (``/sparql-graph-crud-auth`` with Digest)
=====================  ===========================================================

>>> candidates("http://h:8890/sparql-auth")
['http://h:8890/sparql-graph-crud-auth']
>>> candidates("http://h:7878/update")
['http://h:7878/store', 'http://h:7878/data']
"""

from __future__ import annotations

from functools import partial

import requests

from kg.execution.store_requests import RetryPolicy, send, with_retries

NEIGHBOURS = {
    "sparql-auth": ("sparql-graph-crud-auth",),
    "sparql": ("sparql-graph-crud", "data", "store"),
    "query": ("store", "data"),
    "update": ("store", "data"),
}
"""For the last path segment of a SPARQL endpoint, where its Graph Store endpoint may be."""

ABSENT = frozenset({400, 404, 405, 406, 415, 500, 501})
"""What a URL that is not a Graph Store endpoint answers to HEAD."""
PROBE_TIMEOUT = 10.0
WRITE_TIMEOUT = 600.0
"""Seconds to wait for a store to take one graph (Virtuoso takes 50 MB in about 40 s)."""


def candidates(update_url: str) -> list[str]:
    """Return where the Graph Store endpoint may be beside a store's update endpoint.

    Only beside the update endpoint: writes go where updates go (Virtuoso's anonymous
    ``/sparql-graph-crud`` beside a query URL is not where ``/sparql-auth`` writes).
    """
    head, _, last = update_url.rstrip("/").rpartition("/")
    return [f"{head}/{name}" for name in NEIGHBOURS.get(last, ())]


def discover(session: requests.Session, update_url: str, retry: RetryPolicy) -> str | None:
    """Return the first candidate that answers HEAD with success (after any auth challenge).

    A candidate that refuses the credentials (401, 403) is there: the refusal is reported.
    """
    for url in candidates(update_url):
        if with_retries(partial(_answers_head, session, url), retry):
            return url
    return None


def _answers_head(session: requests.Session, url: str) -> bool:
    """Tell whether a URL answers HEAD with success."""
    response = send(session, "HEAD", url, timeout=PROBE_TIMEOUT, answers=ABSENT)
    response.close()
    return response.status_code < 300


class GraphStore:
    """Replace, add to and delete the named graphs of one Graph Store endpoint."""

    def __init__(self, session: requests.Session, url: str, retry: RetryPolicy) -> None:
        self.session = session
        self.url = url
        self.retry = retry

    def put(self, graph: str, data: bytes, media_type: str) -> bool:
        """Replace a graph with the data; return True if the store says it created it."""
        response = with_retries(lambda: self._send("PUT", graph, data, media_type), self.retry)
        return response.status_code == 201

    def post(self, graph: str, data: bytes, media_type: str) -> bool:
        """Add the data to a graph (not retried: a repeat would copy its blank nodes)."""
        return self._send("POST", graph, data, media_type).status_code == 201

    def delete(self, graph: str) -> bool:
        """Delete a graph; return False if the store did not have it."""
        response = with_retries(lambda: self._send("DELETE", graph), self.retry)
        return response.status_code != 404

    def _send(
        self, method: str, graph: str, data: bytes | None = None, media_type: str | None = None
    ) -> requests.Response:
        """Send one request about a graph (404 answers a DELETE of a graph that is not there)."""
        response = send(
            self.session,
            method,
            self.url,
            timeout=WRITE_TIMEOUT,
            answers=frozenset({404}) if method == "DELETE" else frozenset(),
            params={"graph": graph},
            data=data,
            headers={"Content-Type": media_type} if media_type else {},
        )
        response.close()
        return response
