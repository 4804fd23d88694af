"""Read the shape of a SPARQL text without evaluating it: tokens, brackets, prologue, clauses.

The engine parses the text again; this lexer only has to agree with it on the few things the
preparation step looks at (form, prologue, SERVICE, LOAD, FROM, LIMIT). Where it cannot read a
text (an unterminated string or IRI), it says so, and callers refuse the request instead of
guessing. Client text is hostile: every function here is linear in the length of the text, and
brackets nested deeper than MAX_NESTING are refused (the engine's parser recurses on them).

>>> [t.text for t in tokenize('SELECT ?s { ?s a <http://x/y> } # note')]
['SELECT', '?s', '{', '?s', 'a', '<http://x/y>', '}']
>>> query_form(tokenize('PREFIX ex: <http://x/> ASK { ex:a ?p ?o }'))
'ASK'
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urljoin

from kg.errors import BadRequest, QuerySyntaxError

MAX_NESTING = 128
"""Deepest nesting of ``{``, ``(`` and ``[`` accepted; the engine's parser crashes near 2,500."""

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_BASE + "_0-9\u00b7\u0300-\u036f\u203f-\u2040\\-"
_LOCAL_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_PERCENT = r"%[0-9A-Fa-f]{2}"

_BRANCHES = {
    "space": r"\s+",
    "comment": r"\#[^\n\r]*",
    "iri": r'<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>',
    "long_string": r"'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"",
    "string": r"'(?:[^'\\\n\r]|\\.)*'|\"(?:[^\"\\\n\r]|\\.)*\"",
    "var": rf"[?$][{_PN_CHARS}]+",
    "pname": (
        rf"(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)?:"
        rf"(?:(?:[{_PN_CHARS}:]|{_PERCENT}|{_LOCAL_ESCAPE})"
        rf"(?:(?:[{_PN_CHARS}.:]|{_PERCENT}|{_LOCAL_ESCAPE})*"
        rf"(?:[{_PN_CHARS}:]|{_PERCENT}|{_LOCAL_ESCAPE}))?)?"
    ),
    "blank": rf"_:[{_PN_CHARS}.]*[{_PN_CHARS}]",
    "langtag": r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*",
    "number": r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)",
    "name": r"[A-Za-z_][A-Za-z0-9_]*",
    "punct": r"\^\^|&&|\|\||!=|<=|>=|[{}()\[\].,;*/+\-=<>!|^?]",
}


def _alternatives(*kinds: str) -> re.Pattern[str]:
    """Compile the token branches into one pattern, in the order that decides ties."""
    return re.compile("|".join(f"(?P<{kind}>{_BRANCHES[kind]})" for kind in kinds))


_TOKEN = _alternatives(*_BRANCHES)
_TOKEN_NOT_PNAME = _alternatives(*(kind for kind in _BRANCHES if kind != "pname"))
_PREFIX_RUN = re.compile(rf"[{_PN_CHARS_BASE}][{_PN_CHARS}.]*")
"""The characters a prefixed name's prefix may span, from a character that may start one."""

_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_OPEN_STRINGS = re.compile(r"'''|\"\"\"|'|\"|<")
_OPENERS = {"{": "}", "(": ")", "[": "]"}
_CLOSERS = frozenset(_OPENERS.values())

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


class Token(NamedTuple):
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


def position(text: str, offset: int) -> str:
    r"""Describe an offset as line:column, the way the engine reports errors.

    >>> position('SELECT\n  *', 9)
    '2:3'
    """
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


def tokenize(text: str) -> list[Token]:
    """Split a SPARQL text into tokens, dropping spaces and comments, in time linear in its length.

    A prefixed name is looked for from each character that may start one; a failed look spans
    the whole run of prefix characters, so no other start inside that run is tried again (a run
    like ``a-a-a-...`` would otherwise cost time quadratic in its length).

    >>> [t.text for t in tokenize('ex:a-b a-b')]
    ['ex:a-b', 'a', '-', 'b']
    """
    tokens: list[Token] = []
    offset = 0
    no_prefixed_name_before = 0
    while offset < len(text):
        pattern = _TOKEN if offset >= no_prefixed_name_before else _TOKEN_NOT_PNAME
        match = pattern.match(text, offset)
        if match is None or match.end() == offset:
            opener = _OPEN_STRINGS.match(text, offset)
            what = "an unterminated string or IRI" if opener else f"{text[offset]!r}"
            raise QuerySyntaxError(f"error at {position(text, offset)}: cannot read {what}")
        kind = match.lastgroup or "punct"
        # Of the other kinds, only a name starts with a character a prefix may start with.
        if pattern is _TOKEN and kind == "name":
            run = _PREFIX_RUN.match(text, offset)
            if run is not None:
                no_prefixed_name_before = run.end()
        if kind not in ("space", "comment"):
            tokens.append(Token(kind, match.group(), offset))
        offset = match.end()
    return tokens


@dataclass(frozen=True)
class Scan:
    """A text's tokens with its bracket structure, read in one pass.

    >>> scan('SELECT * { { ?s ?p ?o } } LIMIT 1').top_level
    (0, 1, 9, 10)
    """

    text: str
    tokens: list[Token]
    closing: dict[int, int]
    """Index of each ``{`` token to the index of the ``}`` that closes it."""
    top_level: tuple[int, ...]
    """Indexes of the tokens outside every brace."""
    balanced: bool
    """Whether every bracket is closed by its own kind (a text that is not fails to parse)."""


def scan(text: str) -> Scan:
    """Tokenize a text and match its brackets, refusing nesting deeper than MAX_NESTING."""
    tokens = tokenize(text)
    closing: dict[int, int] = {}
    top_level: list[int] = []
    open_at: list[int] = []
    braces = 0
    balanced = True
    for index, token in enumerate(tokens):
        if token.kind == "punct" and token.text in _OPENERS:
            if braces == 0 and token.text != "{":
                top_level.append(index)
            open_at.append(index)
            braces += token.text == "{"
            if len(open_at) > MAX_NESTING:
                raise NestedTooDeeply(
                    f"the text is nested too deeply: more than {MAX_NESTING} levels of "
                    f"brackets at {position(text, token.start)}; flatten the query"
                )
            continue
        if token.kind == "punct" and token.text in _CLOSERS:
            if open_at and _OPENERS[tokens[open_at[-1]].text] == token.text:
                opener = open_at.pop()
                if token.text == "}":
                    closing[opener] = index
                    braces -= 1
            else:
                balanced = False
        if braces == 0 and token.text != "}":
            top_level.append(index)
    return Scan(text, tokens, closing, tuple(top_level), balanced and not open_at)


class NestedTooDeeply(BadRequest):
    """A text nests its brackets deeper than the engine can safely parse."""

    title = "Query nested too deeply"


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
            base = resolve(iri_value(tokens[index + 1]), self.base)
            return Prologue(base, self.prefixes, index + 2), index + 2
        if (
            token.is_keyword("PREFIX")
            and index + 2 < len(tokens)
            and tokens[index + 1].kind == "pname"
            and tokens[index + 2].kind == "iri"
        ):
            namespace = resolve(iri_value(tokens[index + 2]), self.base)
            prefixes = {**self.prefixes, tokens[index + 1].text[:-1]: namespace}
            return Prologue(self.base, prefixes, index + 3), index + 3
        return None


_IRI_UNSAFE = re.compile(r'[<>"{}|^`\\\x00-\x20]')
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def iri_text(iri: str) -> str:
    r"""Write an IRI as a SPARQL ``<...>`` token, escaping what IRIREF does not allow.

    >>> iri_text('http://x/a b>')
    '<http://x/a\\u0020b\\u003E>'
    """
    return "<" + _IRI_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04X}", iri) + ">"


def iri_value(token: Token) -> str:
    """Return the IRI a token written as ``<...>`` denotes, as written (maybe relative)."""
    return unescape_codepoints(token.text[1:-1])


def is_absolute(iri: str) -> bool:
    """Tell whether an IRI has a scheme.

    >>> is_absolute('data-g1.ttl'), is_absolute('urn:x')
    (False, True)
    """
    return bool(_SCHEME.match(iri))


def resolve(iri: str, base: str | None) -> str:
    """Resolve a relative IRI against a base (RFC 3986 section 5.2); absolute ones are kept.

    >>> resolve('data-g1.ttl', 'http://example/dataset/manifest.ttl')
    'http://example/dataset/data-g1.ttl'
    """
    if base is None or is_absolute(iri):
        return iri
    return urljoin(base, iri)


def prologue(tokens: Sequence[Token], base: str | None = None) -> Prologue:
    """Read the BASE and PREFIX declarations at the start of a query or update."""
    declared = Prologue(base, {}, 0)
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
        return resolve(iri_value(token), declared.base)
    if token.kind == "pname":
        prefix, _, local = token.text.partition(":")
        if prefix not in declared.prefixes:
            raise QuerySyntaxError(
                f"error at offset {token.start}: the prefix {prefix}: is used but not declared"
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


def _declarations(tokens: Sequence[Token], base: str | None) -> Iterator[tuple[int, Prologue]]:
    """Yield each token index with the declarations in effect there (updates may redeclare)."""
    declared = Prologue(base, {}, 0)
    index = 0
    while index < len(tokens):
        step = declared.declare(tokens, index)
        if step is not None:
            declared, index = step
            continue
        yield index, declared
        index += 1


def service_clauses(read: Scan, base: str | None = None) -> Iterator[ServiceClause]:
    """Find every SERVICE clause, nested ones included, in text order."""
    tokens = read.tokens
    for index, declared in _declarations(tokens, base):
        if not tokens[index].is_keyword("SERVICE"):
            continue
        cursor = index + 1
        silent = cursor < len(tokens) and tokens[cursor].is_keyword("SILENT")
        cursor += silent
        if cursor + 1 >= len(tokens) or cursor + 1 not in read.closing:
            raise QuerySyntaxError(
                f"error at {position(read.text, tokens[index].start)}: SERVICE must name an "
                "endpoint and a group"
            )
        target_token = tokens[cursor]
        target = None if target_token.kind == "var" else expand(target_token, declared)
        if target is None and target_token.kind != "var":
            raise QuerySyntaxError(
                f"error at {position(read.text, tokens[index].start)}: SERVICE needs an IRI "
                "or a variable"
            )
        close = read.closing[cursor + 1]
        yield ServiceClause(index, silent, target, cursor + 1, close, declared)


def load_targets(tokens: Sequence[Token], base: str | None = None) -> Iterator[str]:
    """Yield the source IRIs of the LOAD operations of an update."""
    for index, declared in _declarations(tokens, base):
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


def dataset_clauses(read: Scan, base: str | None = None) -> tuple[list[str], list[str]] | None:
    """Return the IRIs a query's FROM and FROM NAMED clauses name; None when it has none.

    >>> dataset_clauses(scan('SELECT * FROM <g> FROM NAMED <n> { }'), 'http://h/')
    (['http://h/g'], ['http://h/n'])
    """
    tokens = read.tokens
    declared = prologue(tokens, base)
    defaults: list[str] = []
    named: list[str] = []
    found = False
    for index in read.top_level:
        if not tokens[index].is_keyword("FROM"):
            continue
        found = True
        is_named = index + 1 < len(tokens) and tokens[index + 1].is_keyword("NAMED")
        cursor = index + 1 + is_named
        iri = expand(tokens[cursor], declared) if cursor < len(tokens) else None
        if iri is None:
            raise QuerySyntaxError(
                f"error at {position(read.text, tokens[index].start)}: FROM needs an IRI"
            )
        (named if is_named else defaults).append(iri)
    return (defaults, named) if found else None
