r"""Rewrite a query or update before evaluation: the row cap and the protocol's update dataset.

>>> cap_rows('SELECT * { ?s ?p ?o }', 10)
('SELECT * { ?s ?p ?o }\nLIMIT 11', True)
>>> cap_rows('SELECT * { ?s ?p ?o } LIMIT 5', 10)
('SELECT * { ?s ?p ?o } LIMIT 5', False)
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.errors import BadRequest
from kg.execution.base import Dataset
from kg.sparql_text import Token, query_form, tokenize


def top_level(tokens: Sequence[Token]) -> list[int] | None:
    """Return the indexes of tokens outside every brace; None when the braces do not balance."""
    found: list[int] = []
    depth = 0
    for index, token in enumerate(tokens):
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0:
            found.append(index)
    return found if depth == 0 else None


def cap_rows(text: str, cap: int) -> tuple[str, bool]:
    """Bound a SELECT to cap + 1 solutions unless it already asks for at most cap.

    Returns the text to evaluate and whether the cap applies: a client that receives cap + 1
    rows knows the answer was cut. Other forms, and texts the lexer cannot balance (they fail
    to parse anyway), are returned unchanged.
    """
    tokens = tokenize(text)
    outside = top_level(tokens)
    if query_form(tokens) != "SELECT" or outside is None:
        return text, False
    bound = f"{cap + 1}"
    for index in outside:
        if tokens[index].is_keyword("LIMIT") and index + 1 < len(tokens):
            number = tokens[index + 1]
            if number.kind == "number" and number.text.isdigit() and int(number.text) <= cap:
                return text, False
            return text[: number.start] + bound + text[number.end :], True
    values = next((i for i in outside if tokens[i].is_keyword("VALUES")), None)
    if values is None:
        return f"{text}\nLIMIT {bound}", True
    start = tokens[values].start
    return f"{text[:start]}\nLIMIT {bound}\n{text[start:]}", True


def with_dataset(text: str, dataset: Dataset) -> str:
    """Apply the protocol's using-graph-uri and using-named-graph-uri to every WHERE of an update.

    The protocol makes it an error to combine them with USING or WITH in the update itself.
    """
    if dataset.is_union:
        return text
    tokens = tokenize(text)
    outside = top_level(tokens)
    if outside is None:
        return text
    if any(tokens[i].is_keyword("USING", "WITH") for i in outside):
        raise BadRequest(
            "using-graph-uri and using-named-graph-uri cannot be combined with USING or WITH "
            "in the update itself"
        )
    clause = " ".join(
        [f"USING <{g}>" for g in dataset.default_graphs]
        + [f"USING NAMED <{g}>" for g in dataset.named_graphs]
    )
    pieces: list[str] = []
    cursor = 0
    for index in outside:
        token = tokens[index]
        if token.is_keyword("WHERE") and not tokens[index - 1].is_keyword("DELETE"):
            pieces += [text[cursor : token.start], clause, " "]
            cursor = token.start
    return "".join(pieces) + text[cursor:]
