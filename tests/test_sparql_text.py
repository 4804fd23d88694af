import contextlib
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg import sparql_text
from kg.errors import BadRequest, QuerySyntaxError
from kg.sparql_text import query_form, scan, service_clauses, tokenize


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * { ?s ?p ?o }", "SELECT"),
        ("prefix ex: <http://x/> ask { ex:a ?p ?o }", "ASK"),
        ("BASE <http://x/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("# a comment\nDESCRIBE <http://x/a>", "DESCRIBE"),
        ("INSERT DATA { <http://x/a> <http://x/b> 1 }", None),
    ],
)
def test_query_form(text: str, form: str | None) -> None:
    assert query_form(tokenize(text)) == form


def test_service_targets_are_expanded_and_unescaped() -> None:
    text = (
        "PREFIX w: <https://query.wikidata.org/>\n"
        'SELECT * { ?a ?b "SERVICE <http://evil/> {}" '
        "{ SELECT * { SERVICE SILENT w:sparql { ?x ?y ?z } } } "
        r"SERVICE <http://127.0.0.1/sp\u0061rql> { ?q ?r ?s } }"
    )
    targets = [clause.target for clause in service_clauses(scan(text))]
    assert targets == ["https://query.wikidata.org/sparql", "http://127.0.0.1/sparql"]


def test_unterminated_string_is_a_syntax_error() -> None:
    with pytest.raises(QuerySyntaxError, match="1:12"):
        tokenize('SELECT * { "abc }')


def reference_tokens(text: str) -> list[tuple[str, str, int]]:
    """Tokenize the way the lexer did before it skipped runs: every branch tried at every token.

    Correct, but quadratic on a run like ``a-a-a-...`` (the prefixed-name branch rescans it).
    """
    tokens = []
    offset = 0
    while offset < len(text):
        match = sparql_text._TOKEN.match(text, offset)
        if match is None or match.end() == offset:
            raise QuerySyntaxError("unreadable")
        if match.lastgroup not in ("space", "comment"):
            tokens.append((match.lastgroup or "punct", match.group(), offset))
        offset = match.end()
    return tokens


SPARQL_CHARS = "aAzZ_-.:?$<>'\"#@ {}()[]019eE+\\%é·\n\t;,*/=!|^"


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=SPARQL_CHARS, max_size=60))
def test_the_lexer_reads_every_text_as_trying_every_branch_everywhere_would(text: str) -> None:
    try:
        expected = reference_tokens(text)
    except QuerySyntaxError:
        with pytest.raises(QuerySyntaxError):
            tokenize(text)
        return
    assert [(t.kind, t.text, t.start) for t in tokenize(text)] == expected


@settings(max_examples=30, deadline=None)
@given(st.text(alphabet=SPARQL_CHARS, min_size=1, max_size=8))
def test_the_lexer_reads_100_kb_of_any_repeated_fragment_in_linear_time(fragment: str) -> None:
    body = (fragment * (100_000 // len(fragment) + 1))[:100_000]
    started = time.perf_counter()
    with contextlib.suppress(BadRequest):
        scan(body)
    # Linear: about 0.5 s on this machine at worst; the quadratic lexer took 141 s for a-a-a-...
    assert time.perf_counter() - started < 5


def test_a_prefixed_name_bomb_is_read_in_linear_time() -> None:
    started = time.perf_counter()
    tokens = tokenize("a-" * 50_000)
    assert len(tokens) == 100_000
    assert time.perf_counter() - started < 5
