"""RFC 9110 content negotiation: the Accept-header table for solutions and for graphs."""

from __future__ import annotations

import re

import pytest

from kg.errors import NotAcceptable
from kg.protocol.negotiate import GRAPH_FORMATS, SOLUTION_FORMATS, negotiate, parse_accept

JSON = "application/sparql-results+json"
XML = "application/sparql-results+xml"
CSV = "text/csv"
TSV = "text/tab-separated-values"
TURTLE = "text/turtle"
NT = "application/n-triples"
JSONLD = "application/ld+json"
RDFXML = "application/rdf+xml"
TRIG = "application/trig"
NQUADS = "application/n-quads"


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/*", JSON),
        ("text/*", CSV),
        (JSON, JSON),
        ("application/json", JSON),
        (XML, XML),
        ("application/xml", XML),
        ("text/xml", XML),
        ("text/csv", CSV),
        ("TEXT/CSV", CSV),
        (TSV, TSV),
        ("text/csv; charset=utf-8", CSV),
        ("text/csv;charset=UTF-8", CSV),
        ('text/csv; charset="utf-8"', CSV),
        ("text/csv;q=0.5, text/tab-separated-values", TSV),
        ("text/csv;q=0.9, text/tab-separated-values;q=0.9", CSV),
        ("text/csv, text/tab-separated-values", CSV),
        ("text/tab-separated-values, text/csv", CSV),
        ("*/*;q=0.1, application/sparql-results+xml", XML),
        ("text/*;q=0.5, */*;q=0.1", CSV),
        ("text/*, text/csv;q=0", TSV),
        ("*/*, application/sparql-results+json;q=0", XML),
        ("*/*, application/*;q=0", CSV),
        ("application/sparql-results+json;q=0.2, text/html, */*;q=0.3", XML),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", XML),
        ("text/csv;q=0.500, text/tab-separated-values;q=0.499", CSV),
        ("text/csv; charset=iso-8859-1, text/tab-separated-values;q=0.1", TSV),
        ("text/csv;q=1;level=1", CSV),
        ("nonsense, text/csv", CSV),
        ("text/csv;q=high, text/tab-separated-values", TSV),
        ("text/csv;q=2, text/tab-separated-values", TSV),
    ],
)
def test_solutions(accept: str | None, expected: str) -> None:
    assert negotiate(accept, SOLUTION_FORMATS) == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, TURTLE),
        ("*/*", TURTLE),
        ("application/*", NT),
        (TURTLE, TURTLE),
        ("application/x-turtle", TURTLE),
        (NT, NT),
        (JSONLD, JSONLD),
        ('application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', JSONLD),
        ("application/json", JSONLD),
        (RDFXML, RDFXML),
        ("application/xml", RDFXML),
        (TRIG, TRIG),
        (NQUADS, NQUADS),
        ("text/turtle;q=0.1, application/n-triples;q=0.2", NT),
        ("application/rdf+xml, text/turtle;q=0.9", RDFXML),
        ("*/*, text/turtle;q=0", NT),
        ("text/turtle; charset=utf-8", TURTLE),
        ("application/turtle,text/turtle", TURTLE),
        ("application/ld+json,application/x-json+ld", JSONLD),
    ],
)
def test_graphs(accept: str | None, expected: str) -> None:
    assert negotiate(accept, GRAPH_FORMATS) == expected


@pytest.mark.parametrize(
    "accept",
    [
        "text/html",
        "image/png, text/plain",
        "text/csv;q=0",
        "*/*;q=0",
        "text/csv;q=0, text/tab-separated-values;q=0, application/*;q=0",
        "text/csv; charset=iso-8859-1",
        "nonsense",
        "text",
        "*/csv",
        "text/csv;q",
        "application/sparql-results+json;q=-1",
    ],
)
def test_solutions_not_acceptable(accept: str) -> None:
    with pytest.raises(NotAcceptable) as caught:
        negotiate(accept, SOLUTION_FORMATS)
    assert caught.value.status == 406
    assert caught.value.message == (
        f"no format on offer satisfies 'Accept: {accept}'; this resource is available as "
        f"{JSON}, {XML}, {CSV}, {TSV}"
    )


@pytest.mark.parametrize("accept", ["text/csv", "application/sparql-results+json", "image/*"])
def test_graphs_not_acceptable(accept: str) -> None:
    offered = f"available as {TURTLE}, {NT}, {JSONLD}, {RDFXML}, {TRIG}, {NQUADS}"
    with pytest.raises(NotAcceptable, match=re.escape(offered)):
        negotiate(accept, GRAPH_FORMATS)


def test_parse_accept_keeps_weights_and_charsets() -> None:
    ranges = parse_accept("text/*;q=0.3, text/csv;charset=UTF-8;q=0.7, bogus, */*")
    assert [(r.type, r.subtype, r.charset, r.q, r.specificity) for r in ranges] == [
        ("text", "*", None, 0.3, 1),
        ("text", "csv", "utf-8", 0.7, 3),
        ("*", "*", None, 1.0, 0),
    ]
