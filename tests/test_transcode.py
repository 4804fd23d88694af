"""A remote store's answer rewritten by pyoxigraph: exact bytes, streamed, stopped when dropped."""

from __future__ import annotations

import doctest
import threading
import time
from collections.abc import Iterator

import pytest
from pyoxigraph import QueryResultsFormat, Store

import kg.execution.transcode
from kg.errors import DeadlineExceeded
from kg.execution.transcode import (
    GRAPH_SOURCE,
    SOLUTIONS_SOURCE,
    Transcoded,
    source_media_type,
    virtuoso_json,
)

VIRTUOSO_ANSWER = (
    b'\n{ "head": { "link": [], "vars": ["s", "o"] },\n'
    b'  "results": { "distinct": false, "ordered": true, "bindings": [\n'
    b'    { "s": { "type": "bnode", "value": "nodeID://b10001" }\t, "o": { "type": "typed-literal",'
    b' "datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "1" }},\n'
    b'    { "s": { "type": "bnode", "value": "nodeID://b10001" }\t, "o": { "type": "literal",'
    b' "xml:lang": "es", "value": "Per\xc3\xba\\n" }} ] } }'
)
"""What Virtuoso 7.2.5 answers, byte for byte, for a blank node with a boolean and a string."""


def test_docstring_examples() -> None:
    assert doctest.testmod(kg.execution.transcode).failed == 0


@pytest.mark.parametrize(
    ("media_type", "source"),
    [
        ("text/tab-separated-values", SOLUTIONS_SOURCE),
        ("application/sparql-results+xml", SOLUTIONS_SOURCE),
        ("text/turtle", GRAPH_SOURCE),
        ("application/ld+json", GRAPH_SOURCE),
    ],
)
def test_source_format_follows_the_form(media_type: str, source: str) -> None:
    assert source_media_type(media_type) == source


@pytest.mark.parametrize("size", [1, 7, 40, len(VIRTUOSO_ANSWER)])
def test_virtuoso_answer_in_any_chunking_becomes_the_standard_one(size: int) -> None:
    chunks = iter([VIRTUOSO_ANSWER[i : i + size] for i in range(0, len(VIRTUOSO_ANSWER), size)])
    body = b"".join(Transcoded(chunks, SOLUTIONS_SOURCE, "text/tab-separated-values"))
    assert body == ('?s\t?o\n_:b10001\ttrue\n_:b10001\t"Perú\\n"@es\n').encode()


def test_oxigraph_answer_passes_unchanged() -> None:
    store = Store()
    store.update('INSERT DATA { <http://x/a> <http://x/p> "1"^^<http://x/dt>, 2, "y"@en }')
    query = "SELECT * { ?s ?p ?o } ORDER BY ?o"
    answer = store.query(query).serialize(format=QueryResultsFormat.JSON) or b""
    assert b"".join(virtuoso_json(iter([answer]))) == answer
    for fmt in (QueryResultsFormat.JSON, QueryResultsFormat.XML, QueryResultsFormat.TSV):
        body = b"".join(Transcoded(iter([answer]), SOLUTIONS_SOURCE, fmt.media_type))
        assert body == store.query(query).serialize(format=fmt)


def test_graph_is_written_in_the_negotiated_format() -> None:
    triples = b'<http://x/a> <http://x/p> "b" .\n<http://x/a> <http://x/q> _:c .\n'
    body = b"".join(Transcoded(iter([triples]), GRAPH_SOURCE, "text/turtle"))
    assert body == b'<http://x/a> <http://x/p> "b" ;\n\t<http://x/q> _:c .\n'


def test_a_failure_mid_answer_reaches_the_reader() -> None:
    def chunks() -> Iterator[bytes]:
        yield VIRTUOSO_ANSWER[:100]
        raise DeadlineExceeded("the query ran past its deadline and was stopped")

    with pytest.raises(DeadlineExceeded, match="past its deadline"):
        b"".join(Transcoded(chunks(), SOLUTIONS_SOURCE, "text/csv"))


def test_closing_early_stops_the_work_and_closes_the_store_answer() -> None:
    closed = threading.Event()

    class Endless:
        """A store answer that never ends, until it is closed."""

        def __iter__(self) -> Endless:
            return self

        def __next__(self) -> bytes:
            if closed.is_set():
                raise StopIteration
            return b'<http://x/a> <http://x/p> "' + b"x" * 1000 + b'" .\n'

        def close(self) -> None:
            closed.set()

    answer = Transcoded(Endless(), GRAPH_SOURCE, "application/n-triples")
    assert next(answer).startswith(b"<http://x/a>")
    answer.close()
    deadline = time.monotonic() + 5
    while not closed.is_set():
        assert time.monotonic() < deadline, "the store's answer was never closed"
        time.sleep(0.01)
