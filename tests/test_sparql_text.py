import pytest

from kg.errors import QuerySyntaxError
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
