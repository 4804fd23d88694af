"""Write SPARQL JSON results as a VALUES block that stands where a SERVICE clause stood.

A SERVICE pattern is evaluated on its own and its solutions joined with the rest of the query
(SPARQL 1.1 Federated Query, section 3), so putting its solutions inline in its place gives the
same answer without letting the engine open a connection.

>>> to_values({"head": {"vars": ["x"]}, "results": {"bindings": [
...     {"x": {"type": "literal", "value": "Quito", "xml:lang": "es"}}, {}]}})
'VALUES (?x) { ("Quito"@es) (UNDEF) }'
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from kg.errors import BadGateway
from kg.iris import BASE
from kg.sparql_text import iri_text

EMPTY_SOLUTION = "VALUES () { () }"
"""One solution binding nothing: what a failed SERVICE SILENT gives."""

_STRING_ESCAPES = str.maketrans(
    {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
)


_VARIABLE = re.compile(r"[A-Za-z0-9_\u00b7\u00c0-\U000effff]+")
_LANGUAGE = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*")


def literal_text(value: str, language: str | None = None, datatype: str | None = None) -> str:
    r"""Write a literal as a SPARQL token.

    >>> literal_text('say "hi"\n', datatype='http://www.w3.org/2001/XMLSchema#string')
    '"say \\"hi\\"\\n"^^<http://www.w3.org/2001/XMLSchema#string>'
    """
    text = '"' + value.translate(_STRING_ESCAPES) + '"'
    if language:
        if not _LANGUAGE.fullmatch(language):
            raise BadGateway(f"the Wikidata endpoint sent an invalid language tag {language!r}")
        return f"{text}@{language}"
    if datatype:
        return f"{text}^^{iri_text(datatype)}"
    return text


def term_text(term: dict[str, Any]) -> str:
    """Write one SPARQL JSON term; a blank node becomes a stable skolem IRI of this project."""
    kind = term.get("type")
    value = term.get("value")
    if not isinstance(value, str):
        raise BadGateway("the Wikidata endpoint sent a binding without a value")
    if kind == "uri":
        return iri_text(value)
    if kind in ("literal", "typed-literal"):
        return literal_text(value, term.get("xml:lang"), term.get("datatype"))
    if kind == "bnode":
        digest = hashlib.sha256(value.encode()).hexdigest()[:16]
        return iri_text(f"{BASE}.well-known/genid/wikidata-{digest}")
    raise BadGateway(f"the Wikidata endpoint sent a term of unknown type {kind!r}")


def to_values(results: dict[str, Any]) -> str:
    """Turn SPARQL JSON results into an equivalent VALUES block."""
    names = results.get("head", {}).get("vars", [])
    bindings = results.get("results", {}).get("bindings", [])
    if not isinstance(names, list) or not isinstance(bindings, list):
        raise BadGateway("the Wikidata endpoint sent malformed results")
    for name in names:
        if not isinstance(name, str) or not _VARIABLE.fullmatch(name):
            raise BadGateway(f"the Wikidata endpoint sent an invalid variable name {name!r}")
    header = " ".join(f"?{name}" for name in names)
    rows = []
    for binding in bindings:
        cells = [term_text(binding[name]) if name in binding else "UNDEF" for name in names]
        rows.append("(" + " ".join(cells) + ")")
    return f"VALUES ({header}) {{ {' '.join(rows)} }}"
