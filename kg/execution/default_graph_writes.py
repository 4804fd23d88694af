"""Find the operations of a SPARQL Update that write to the default graph.

Over a remote store whose default graph is the union of its named graphs, such a write lands
in no named graph: Fuseki answers 204 and never shows it, oxigraph shows it but it is in no
download and no ``kg build --into`` replaces it, Virtuoso refuses it. The remote back end refuses
these operations itself, with a message that says where to write instead.

>>> default_graph_writes("INSERT DATA { <http://x/a> <http://x/p> 1 }")
['INSERT DATA without GRAPH']
>>> default_graph_writes("WITH <http://x/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }")
[]
>>> default_graph_writes("LOAD <http://x/f.ttl> ; CLEAR DEFAULT")
['LOAD without INTO GRAPH', 'CLEAR DEFAULT']
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from kg.sparql_text import Scan, Token, scan

GRAPH_MANAGEMENT = ("ADD", "MOVE", "COPY")


def default_graph_writes(text: str) -> list[str]:
    """Name each operation of an update that writes to the default graph.

    A text whose brackets do not match is left to the store, whose parser says where.
    """
    read = scan(text)
    return list(_operations(read)) if read.balanced else []


def _operations(read: Scan) -> Iterator[str]:
    """Walk the operations of an update, yielding a name for each default-graph write."""
    tokens, closing = read.tokens, read.closing
    index = 0
    with_graph = False
    while index < len(tokens):
        token = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if token.text == ";":
            with_graph = False
        elif token.is_keyword("WITH"):
            with_graph = True
        elif token.is_keyword("INSERT", "DELETE") and following is not None:
            verb = token.text.upper()
            if following.is_keyword("DATA", "WHERE") and index + 2 in closing:
                close = closing[index + 2]
                if _has_default_triples(read, index + 2, close):
                    yield f"{verb} {following.text.upper()} without GRAPH"
                index = close
            elif following.text == "{":
                close = closing[index + 1]
                if not with_graph and _has_default_triples(read, index + 1, close):
                    yield f"{verb} {{ … }} without GRAPH or WITH"
                index = close
        elif token.is_keyword("WHERE") and following is not None and following.text == "{":
            index = closing[index + 1]
        elif token.is_keyword("LOAD"):
            if not any(t.is_keyword("INTO") for t in _operation(tokens, index)):
                yield "LOAD without INTO GRAPH"
        elif token.is_keyword("CLEAR", "DROP"):
            named = [t for t in _operation(tokens, index) if not t.is_keyword("SILENT")]
            if named[1:2] and named[1].is_keyword("DEFAULT"):
                yield f"{token.text.upper()} DEFAULT"
        elif token.is_keyword(*GRAPH_MANAGEMENT):
            yield from _graph_management(token.text.upper(), list(_operation(tokens, index)))
        index += 1


def _operation(tokens: Sequence[Token], start: int) -> Iterator[Token]:
    """Yield the tokens of the operation starting at start, up to its ``;``."""
    for token in tokens[start:]:
        if token.text == ";":
            return
        yield token


def _graph_management(verb: str, operation: list[Token]) -> Iterator[str]:
    """Name an ADD, MOVE or COPY that writes to (or, for MOVE, empties) the default graph."""
    words = [t for t in operation if not t.is_keyword("SILENT", "GRAPH")]
    to = next((i for i, t in enumerate(words) if t.is_keyword("TO")), None)
    if to is None:
        return
    if to + 1 < len(words) and words[to + 1].is_keyword("DEFAULT"):
        yield f"{verb} … TO DEFAULT"
    elif verb == "MOVE" and to >= 2 and words[1].is_keyword("DEFAULT"):
        yield "MOVE DEFAULT"


def _has_default_triples(read: Scan, open_brace: int, close_brace: int) -> bool:
    """Tell whether a quad template or quad data block holds a triple outside ``GRAPH``."""
    tokens = read.tokens
    index = open_brace + 1
    while index < close_brace:
        token = tokens[index]
        if token.is_keyword("GRAPH") and index + 2 < close_brace and tokens[index + 2].text == "{":
            index = read.closing[index + 2] + 1
        elif token.text == ".":
            index += 1
        else:
            return True
    return False
