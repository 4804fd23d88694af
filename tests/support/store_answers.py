"""What a store computes differently from the embedded one, applied to an expected answer.

Virtuoso 7.2 (README, "What Virtuoso does differently") evaluates a computed boolean (``EXISTS``,
a comparison, ``&&``, ``!``) to the integer 1 or 0, and the difference of two ``xsd:date`` values
to an integer number of seconds instead of an ``xsd:dayTimeDuration``. A boolean stored in the
graph comes back as stored, even when an expression passes it on (``IF``, ``COALESCE``), so only
the columns a query computes as booleans are changed.

>>> sorted(computed_booleans("SELECT (?a <= ?b AS ?c) (IF(isBlank(?x), ?y, ?x) AS ?v) {}"))
['c']
>>> answer_as_given("virtuoso", b'?c\\t?d\\ntrue\\t"P2D"^^<' + XSD_DAYS + b'>\\n', "(1 = 1 AS ?c)")
b'?c\\t?d\\n1\\t172800\\n'
"""

from __future__ import annotations

import re

from kg.sparql_text import tokenize

XSD_DAYS = b"http://www.w3.org/2001/XMLSchema#dayTimeDuration"
BOOLEAN_OPERATORS = frozenset({"=", "!=", "<", "<=", ">", ">=", "&&", "||", "!"})
BOOLEAN_NUMBERS = {"true": "1", "false": "0"}
DAYS_TSV = re.compile(r'"(-?)P(\d+)D"\^\^<' + re.escape(XSD_DAYS.decode()) + ">")
BOOLEAN_CELL = '<span class="literal">{}</span><sup class="datatype">xsd:{}</sup>'
DAYS_CELL = re.compile(BOOLEAN_CELL.format(r"(-?)P(\d+)D", "dayTimeDuration"))
RESULTS_TABLE = re.compile(r'<table class="results">.*?</table>', re.DOTALL)
ROW = re.compile(r"<tr>(.*?)</tr>", re.DOTALL)
CELL = re.compile(r"<t[dh]>(.*?)</t[dh]>", re.DOTALL)
SECONDS_A_DAY = 86_400


def computed_booleans(query: str) -> set[str]:
    """Return the variables a query binds to a computed boolean (``(EXPR AS ?v)``, ``BIND``).

    An expression computes a boolean when it is an ``EXISTS`` or has a comparison or a logical
    operator outside its parentheses; a function (``IF``, ``COALESCE``) passes a value on.
    """
    tokens = tokenize(query)
    found: set[str] = set()
    for index, token in enumerate(tokens[:-1]):
        if not token.is_keyword("AS") or tokens[index + 1].kind != "var":
            continue
        depth, start, outside = 0, index - 1, []
        while start >= 0:
            text = tokens[start].text
            if text in (")", "}"):
                depth += 1
            elif text in ("(", "{"):
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0:
                outside.append(text)
            start -= 1
        first = tokens[start + 1]
        if first.is_keyword("EXISTS", "NOT") or BOOLEAN_OPERATORS.intersection(outside):
            found.add(tokens[index + 1].text[1:])
    return found


def answer_as_given(store: str, expected: bytes, query: str) -> bytes:
    """Return a query's expected TSV answer as the store gives it."""
    if store != "virtuoso":
        return expected
    return _tsv(expected.decode(), computed_booleans(query)).encode()


def page_as_given(store: str, page: str, query: str) -> str:
    """Return the expected page showing a query's answer as the store's answer makes it."""
    if store != "virtuoso":
        return page
    booleans = computed_booleans(query)
    return RESULTS_TABLE.sub(lambda table: _html(table.group(), booleans), page)


def _seconds(days: re.Match[str]) -> str:
    """Return a number of days as Virtuoso's integer number of seconds."""
    return f"{days.group(1)}{int(days.group(2)) * SECONDS_A_DAY}"


def _tsv(answer: str, booleans: set[str]) -> str:
    """Change the computed cells of a TSV answer."""
    lines = answer.split("\n")
    names = [name.removeprefix("?") for name in lines[0].split("\t")]

    def cell(name: str, value: str) -> str:
        value = BOOLEAN_NUMBERS.get(value, value) if name in booleans else value
        return DAYS_TSV.sub(_seconds, value)

    rows = ["\t".join(map(cell, names, line.split("\t"))) for line in lines[1:]]
    return "\n".join([lines[0], *rows])


def _html(table: str, booleans: set[str]) -> str:
    """Change the computed cells of a results table."""
    header = ROW.search(table)
    names = CELL.findall(header.group(1)) if header else []

    def cell(name: str, value: str) -> str:
        if name in booleans:
            for written, number in BOOLEAN_NUMBERS.items():
                if value == BOOLEAN_CELL.format(written, "boolean"):
                    value = BOOLEAN_CELL.format(number, "integer")
        return DAYS_CELL.sub(lambda days: BOOLEAN_CELL.format(_seconds(days), "integer"), value)

    def row(found: re.Match[str]) -> str:
        cells = CELL.findall(found.group(1))
        if "<th>" in found.group(1):
            return found.group()
        changed = (cell(name, value) for name, value in zip(names, cells, strict=True))
        return "<tr>" + "".join(f"<td>{value}</td>" for value in changed) + "</tr>"

    return ROW.sub(row, table)
