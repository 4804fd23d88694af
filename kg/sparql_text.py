"""Read the shape of a SPARQL text without evaluating it: tokens, prologue, form, SERVICE clauses.

The engine parses the text again; this lexer only has to agree with it on the few things policy
and negotiation look at. Where it cannot read a text (an unterminated string or IRI), it says so,
and callers refuse the request instead of guessing.

>>> [t.text for t in tokenize('SELECT ?s { ?s a <http://x/y> } # note')]
['SELECT', '?s', '{', '?s', 'a', '<http://x/y>', '}']
>>> query_form(tokenize('PREFIX ex: <http://x/> ASK { ex:a ?p ?o }'))
'ASK'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from urllib.parse import urljoin

from kg.errors import QuerySyntaxError

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040\\-"
_LOCAL_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_PERCENT = r"%[0-9A-Fa-f]{2}"

_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*>)
  | (?P<long_string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\")
  | (?P<string>'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<var>[?$][{_PN_CHARS}]+)
  | (?P<pname>(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?:
        (?:(?:[{_PN_CHARS}:]|{_PERCENT}|{_LOCAL_ESCAPE})
           (?:(?:[{_PN_CHARS}.:]|{_PERCENT}|{_LOCAL_ESCAPE})*
              (?:[{_PN_CHARS}:]|{_PERCENT}|{_LOCAL_ESCAPE}))?)?)
  | (?P<blank>_:[{_PN_CHARS}.]*[{_PN_CHARS}])
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\^\^|&&|\|\||!=|<=|>=|[{{}}()\[\].,;*/+\-=<>!|^?])
    """,
    re.VERBOSE,
)

_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPEN_STRINGS = re.compile(r"'''|\"\"\"|'|\"|<")

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
UPDATE_KEYWORDS = (
    "INSERT",
    "DELETE",
    "LOAD",
    "CLEAR",
    "CREATE",
    "DROP",
    "COPY",
    "MOVE",
    "ADD",
    "WITH",
)


@dataclass(frozen=True)
class Token:
    """One lexical token: its kind, its text as written and where it starts."""

    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        """Return the offset just past the token."""
        return self.start + len(self.text)

    def is_keyword(self, *words: str) -> bool:
        """Tell whether the token is one of these keywords, in any letter case."""
        return self.kind == "name" and self.text.upper() in words


def unescape_codepoints(text: str) -> str:
    r"""Replace ``\uXXXX`` and ``\UXXXXXXXX`` escapes, as the engine does inside IRIs.

    >>> unescape_codepoints(r'http://x/\u0073parql')
    'http://x/sparql'
    """
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _position(text: str, offset: int) -> str:
    """Describe an offset as line:column, the way the engine reports errors."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


def tokenize(text: str) -> list[Token]:
    """Split a SPARQL text into tokens, dropping spaces and comments."""
    tokens: list[Token] = []
    offset = 0
    while offset < len(text):
        match = _TOKEN.match(text, offset)
        if match is None or match.end() == offset:
            opener = _OPEN_STRINGS.match(text, offset)
            what = "an unterminated string or IRI" if opener else f"{text[offset]!r}"
            raise QuerySyntaxError(f"error at {_position(text, offset)}: cannot read {what}")
        kind = match.lastgroup or "punct"
        if kind not in ("space", "comment"):
            tokens.append(Token(kind, match.group(), offset))
        offset = match.end()
    return tokens


@dataclass(frozen=True)
class Prologue:
    """The BASE and PREFIX declarations of a query, and where they end."""

    base: str | None
    prefixes: dict[str, str]
    end: int
    """Index of the first token after the prologue."""

    def text(self) -> str:
        """Render the prologue again, for a query built from a fragment of this one."""
        lines = [f"BASE {iri_text(self.base)}"] if self.base else []
        lines += [f"PREFIX {name}: {iri_text(iri)}" for name, iri in self.prefixes.items()]
        return "\n".join(lines)

    def declare(self, tokens: Sequence[Token], index: int) -> tuple[Prologue, int] | None:
        """Read a BASE or PREFIX declaration at index; return the new prologue and next index."""
        token = tokens[index]
        if token.is_keyword("BASE") and index + 1 < len(tokens) and tokens[index + 1].kind == "iri":
            return Prologue(iri_value(tokens[index + 1]), self.prefixes, index + 2), index + 2
        if (
            token.is_keyword("PREFIX")
            and index + 2 < len(tokens)
            and tokens[index + 1].kind == "pname"
            and tokens[index + 2].kind == "iri"
        ):
            prefixes = {**self.prefixes, tokens[index + 1].text[:-1]: iri_value(tokens[index + 2])}
            return Prologue(self.base, prefixes, index + 3), index + 3
        return None


_IRI_UNSAFE = re.compile(r'[<>"{}|^`\\\x00-\x20]')


def iri_text(iri: str) -> str:
    r"""Write an IRI as a SPARQL ``<...>`` token, escaping what IRIREF does not allow.

    >>> iri_text('http://x/a b>')
    '<http://x/a\\u0020b\\u003E>'
    """
    return "<" + _IRI_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04X}", iri) + ">"


def iri_value(token: Token) -> str:
    """Return the IRI a token written as ``<...>`` denotes."""
    return unescape_codepoints(token.text[1:-1])


def prologue(tokens: Sequence[Token]) -> Prologue:
    """Read the BASE and PREFIX declarations at the start of a query or update."""
    declared = Prologue(None, {}, 0)
    index = 0
    while index < len(tokens):
        step = declared.declare(tokens, index)
        if step is None:
            break
        declared, index = step
    return declared


def query_form(tokens: Sequence[Token]) -> str | None:
    """Return SELECT, ASK, CONSTRUCT or DESCRIBE; None for an update or an unreadable text."""
    rest = tokens[prologue(tokens).end :]
    if rest and rest[0].is_keyword(*QUERY_FORMS):
        return rest[0].text.upper()
    return None


def is_update(tokens: Sequence[Token]) -> bool:
    """Tell whether a text reads as a SPARQL Update request."""
    rest = tokens[prologue(tokens).end :]
    return bool(rest) and rest[0].is_keyword(*UPDATE_KEYWORDS)


_LOCAL_ESCAPES = re.compile(r"\\(.)")


def expand(token: Token, declared: Prologue) -> str | None:
    """Return the IRI of an ``<iri>`` or ``prefix:local`` token; None for anything else."""
    if token.kind == "iri":
        value = iri_value(token)
        if declared.base and not re.match(r"[A-Za-z][A-Za-z0-9+.\-]*:", value):
            return urljoin(declared.base, value)
        return value
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix not in declared.prefixes:
            raise QuerySyntaxError(
                f"error at {token.start}: the prefix {prefix}: is used but not declared"
            )
        return declared.prefixes[prefix] + _LOCAL_ESCAPES.sub(r"\1", local)
    return None


@dataclass(frozen=True)
class ServiceClause:
    """One ``SERVICE [SILENT] target { ... }`` clause, located in the token list."""

    keyword: int
    """Index of the SERVICE token."""
    silent: bool
    target: str | None
    """The endpoint IRI, or None when the target is a variable."""
    open_brace: int
    close_brace: int
    declared: Prologue
    """The BASE and PREFIX declarations in effect where the clause stands."""

    def encloses(self, other: ServiceClause) -> bool:
        """Tell whether another clause stands inside this one's group."""
        return self.open_brace < other.keyword < self.close_brace


def matching_brace(tokens: Sequence[Token], open_index: int) -> int:
    """Return the index of the ``}`` that closes the ``{`` at open_index."""
    depth = 0
    for index in range(open_index, len(tokens)):
        if tokens[index].text == "{":
            depth += 1
        elif tokens[index].text == "}":
            depth -= 1
            if depth == 0:
                return index
    raise QuerySyntaxError("error: a '{' is never closed")


def _declarations(tokens: Sequence[Token]) -> Iterator[tuple[int, Prologue]]:
    """Yield each token index with the declarations in effect there (updates may redeclare)."""
    declared = Prologue(None, {}, 0)
    index = 0
    while index < len(tokens):
        step = declared.declare(tokens, index)
        if step is not None:
            declared, index = step
            continue
        yield index, declared
        index += 1


def service_clauses(tokens: Sequence[Token]) -> Iterator[ServiceClause]:
    """Find every SERVICE clause, nested ones included, in text order."""
    for index, declared in _declarations(tokens):
        if not tokens[index].is_keyword("SERVICE"):
            continue
        cursor = index + 1
        silent = cursor < len(tokens) and tokens[cursor].is_keyword("SILENT")
        cursor += silent
        if cursor + 1 >= len(tokens) or tokens[cursor + 1].text != "{":
            raise QuerySyntaxError(
                f"error at {_position_of(tokens, index)}: SERVICE must name an endpoint and a group"
            )
        target_token = tokens[cursor]
        target = None if target_token.kind == "var" else expand(target_token, declared)
        if target is None and target_token.kind != "var":
            raise QuerySyntaxError(
                f"error at {_position_of(tokens, index)}: SERVICE needs an IRI or a variable"
            )
        close = matching_brace(tokens, cursor + 1)
        yield ServiceClause(index, silent, target, cursor + 1, close, declared)


def _position_of(tokens: Sequence[Token], index: int) -> str:
    """Describe a token's position by its character offset."""
    return f"offset {tokens[index].start}"


def load_targets(tokens: Sequence[Token]) -> Iterator[str]:
    """Yield the source IRIs of the LOAD operations of an update."""
    for index, declared in _declarations(tokens):
        token = tokens[index]
        if not token.is_keyword("LOAD"):
            continue
        cursor = index + 1
        if cursor < len(tokens) and tokens[cursor].is_keyword("SILENT"):
            cursor += 1
        source = expand(tokens[cursor], declared) if cursor < len(tokens) else None
        if source is None:
            raise QuerySyntaxError(f"error at offset {token.start}: LOAD needs a source IRI")
        yield source


def dataset_clause_end(tokens: Sequence[Token]) -> int | None:
    """Return the index of the last token of a query's FROM clauses; None without any."""
    last = None
    for index, token in enumerate(tokens):
        if token.is_keyword("FROM"):
            named = index + 1 < len(tokens) and tokens[index + 1].is_keyword("NAMED")
            last = index + 1 + named
    return last if last is not None and last < len(tokens) else None
