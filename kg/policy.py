"""What a query or update may do, decided on its text before anything runs.

- its size, in bytes, before any parsing;
- its form: a query sent as an update (or the reverse) is refused with the way to send it;
- its SERVICE clauses: pyoxigraph's own SERVICE client cannot be switched off, so every clause is
  settled here. A clause naming Wikidata's endpoint is answered in the configured mode (*pinned*:
  from the extract in the store; *live*: by calling Wikidata); a clause naming an allow-listed
  endpoint is left to the engine, and clauses nested in a group that another endpoint evaluates
  are that endpoint's business; anything else, ``SERVICE ?var`` included, is refused with 403
  and nothing is contacted;
- its LOAD sources, which must be allow-listed.

>>> check_length("ASK {}", 6, "query")
>>> check_length("ASK { }", 6, "query")
Traceback (most recent call last):
...
kg.errors.PayloadTooLarge: the query is 7 bytes long; the limit is 6
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kg.egress import EgressRules, Target
from kg.errors import BadRequest, PayloadTooLarge
from kg.execution.base import QueryForm
from kg.sparql_text import (
    Scan,
    ServiceClause,
    Token,
    is_update,
    load_targets,
    query_form,
    service_clauses,
)

FORMS: dict[str, QueryForm] = {
    "SELECT": "SELECT",
    "ASK": "ASK",
    "CONSTRUCT": "CONSTRUCT",
    "DESCRIBE": "DESCRIBE",
}


def check_length(text: str | bytes, limit: int, what: str) -> None:
    """Refuse a text longer than the limit, counted in bytes of UTF-8."""
    size = len(text) if isinstance(text, bytes) else len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise PayloadTooLarge(f"the {what} is {size} bytes long; the limit is {limit}")


def form_of_query(tokens: Sequence[Token]) -> QueryForm:
    """Return a query's form, or refuse a text that is not a query with what it looks like."""
    form = FORMS.get(query_form(tokens) or "")
    if form is not None:
        return form
    if is_update(tokens):
        raise BadRequest(
            "this is a SPARQL Update; send it by POST as update= or application/sparql-update"
        )
    raise BadRequest("the text is not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE")


def check_update(tokens: Sequence[Token]) -> None:
    """Refuse a query sent as an update."""
    if query_form(tokens) is not None:
        raise BadRequest("this is a query, not an update; send it as query=")


@dataclass(frozen=True)
class ServicePlan:
    """The SERVICE clauses of a text that this server answers itself, by how it answers them."""

    pinned: tuple[ServiceClause, ...]
    """Wikidata clauses answered from the extract."""
    live: tuple[ServiceClause, ...]
    """Wikidata clauses answered by calling Wikidata."""


def settle_services(read: Scan, rules: EgressRules, *, live: bool, base: str) -> ServicePlan:
    """Check every SERVICE clause and sort the Wikidata ones by how they are answered."""
    # Clauses come in text order, so those inside a remotely evaluated one start before its end.
    remote_until = -1
    wikidata: list[ServiceClause] = []
    for clause in service_clauses(read, base):
        if clause.keyword < remote_until:
            continue
        target = rules.classify_service(clause.target)
        if target is Target.ALLOWED or live:
            remote_until = clause.close_brace
        if target is Target.WIKIDATA:
            wikidata.append(clause)
    if live:
        return ServicePlan((), tuple(wikidata))
    return ServicePlan(tuple(wikidata), ())


def check_loads(tokens: Sequence[Token], rules: EgressRules, base: str) -> None:
    """Refuse an update whose LOAD names a source that is not allow-listed."""
    for source in load_targets(tokens, base):
        rules.check_load(source)
