"""What a query or update may do, decided before anything runs: form, size, SERVICE and LOAD.

pyoxigraph's own SERVICE client cannot be switched off, so every SERVICE clause is settled here,
on the text, before the engine sees it:

- a clause naming Wikidata's endpoint is answered in the configured mode: *pinned* rewrites it to
  ``GRAPH <.../graph/wikidata> { ... }`` over the extract in the store; *live* sends
  ``SELECT * { ... }`` to the configured endpoint and puts the rows in its place as VALUES;
- a clause naming an allow-listed endpoint is left to the engine; clauses nested in a group that
  another endpoint evaluates (live Wikidata, an allow-listed endpoint) are that endpoint's business;
- anything else, ``SERVICE ?var`` included, is refused with 403 and nothing is contacted.

LOAD sources in updates must be allow-listed. A text the lexer cannot read is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kg.egress import EgressRules, Target
from kg.errors import BadRequest, KgError, PayloadTooLarge
from kg.execution.base import Dataset
from kg.iris import WIKIDATA_GRAPH
from kg.settings import Settings
from kg.sparql_text import (
    ServiceClause,
    Token,
    dataset_clause_end,
    iri_text,
    is_update,
    load_targets,
    query_form,
    service_clauses,
    tokenize,
)
from kg.wikidata.client import WikidataClient
from kg.wikidata.values import EMPTY_SOLUTION, to_values


@dataclass(frozen=True)
class PreparedQuery:
    """A query accepted by policy: the text to evaluate, its form and the graphs it reads."""

    text: str
    form: str
    named_graphs: tuple[str, ...] = ()
    """Graphs the rewritten text reads with GRAPH (the pinned extract)."""

    def within(self, dataset: Dataset) -> Dataset:
        """Return the request's dataset with the graphs the rewriting needs added to it."""
        if dataset.is_union:
            return dataset
        missing = tuple(g for g in self.named_graphs if g not in dataset.named_graphs)
        return Dataset(dataset.default_graphs, dataset.named_graphs + missing)


@dataclass(frozen=True)
class _Edit:
    """Replace text[start:end] with new."""

    start: int
    end: int
    new: str


@dataclass(frozen=True)
class Policy:
    """The checks every query and update passes, configured once from the settings."""

    settings: Settings
    wikidata: WikidataClient | None = field(default=None, compare=False)
    """The live client; built from the settings when not given."""

    @property
    def rules(self) -> EgressRules:
        """Return the SERVICE/LOAD rules of these settings."""
        return EgressRules(self.settings)

    def prepare_query(self, text: str) -> PreparedQuery:
        """Check a query and return the text to evaluate."""
        tokens = self._tokens(text, "query")
        form = query_form(tokens)
        if form is None:
            if is_update(tokens):
                raise BadRequest(
                    "this is a SPARQL Update; send it by POST as update= or "
                    "application/sparql-update"
                )
            raise BadRequest(
                "the text is not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE"
            )
        rewritten, pinned = self._resolve_services(text, tokens)
        if not pinned:
            return PreparedQuery(rewritten, form)
        return PreparedQuery(rewritten, form, (WIKIDATA_GRAPH,))

    def prepare_update(self, text: str) -> str:
        """Check an update and return the text to apply."""
        tokens = self._tokens(text, "update")
        if query_form(tokens) is not None:
            raise BadRequest("this is a query, not an update; send it as query=")
        for source in load_targets(tokens):
            self.rules.check_load(source)
        return self._resolve_services(text, tokens, in_update=True)[0]

    def _tokens(self, text: str, what: str) -> list[Token]:
        """Refuse an over-long text and split it into tokens (refusing what cannot be read)."""
        if len(text) > self.settings.max_query_length:
            raise PayloadTooLarge(
                f"the {what} is {len(text)} characters long; the limit is "
                f"{self.settings.max_query_length}"
            )
        return tokenize(text)

    def _resolve_services(
        self, text: str, tokens: Sequence[Token], *, in_update: bool = False
    ) -> tuple[str, bool]:
        """Check every SERVICE clause, then answer the Wikidata ones; say if any was pinned."""
        live = self.settings.wikidata_mode == "live"
        remote: list[ServiceClause] = []
        wikidata: list[ServiceClause] = []
        for clause in service_clauses(tokens):
            if any(outer.encloses(clause) for outer in remote):
                continue
            target = self.rules.classify_service(clause.target)
            if target is Target.ALLOWED or live:
                remote.append(clause)
            if target is Target.WIKIDATA:
                wikidata.append(clause)
        edits = [
            self._answer_live(text, tokens, clause) if live else _pin(tokens, clause)
            for clause in wikidata
        ]
        if edits and not live and not in_update:
            end = dataset_clause_end(tokens)
            if end is not None:
                edits.append(_Edit(tokens[end].end, tokens[end].end, _from_named()))
        for edit in sorted(edits, key=lambda e: e.start, reverse=True):
            text = text[: edit.start] + edit.new + text[edit.end :]
        return text, bool(edits) and not live

    def _answer_live(self, text: str, tokens: Sequence[Token], clause: ServiceClause) -> _Edit:
        """Ask the configured Wikidata endpoint for the clause's solutions; inline them."""
        group = text[tokens[clause.open_brace].start : tokens[clause.close_brace].end]
        prologue = clause.declared.text()
        query = f"{prologue}\nSELECT * WHERE {group}" if prologue else f"SELECT * WHERE {group}"
        client = self.wikidata or WikidataClient.from_settings(self.settings)
        try:
            values = to_values(client.select(query))
        except KgError:
            if not clause.silent:
                raise
            values = EMPTY_SOLUTION
        return _Edit(tokens[clause.keyword].start, tokens[clause.close_brace].end, values)


def _pin(tokens: Sequence[Token], clause: ServiceClause) -> _Edit:
    """Rewrite ``SERVICE [SILENT] <wikidata>`` to ``GRAPH <extract>``, keeping the group."""
    return _Edit(
        tokens[clause.keyword].start,
        tokens[clause.open_brace].start,
        f"GRAPH {iri_text(WIKIDATA_GRAPH)} ",
    )


def _from_named() -> str:
    """Return the dataset clause that keeps the extract visible to a query naming its dataset."""
    return f" FROM NAMED {iri_text(WIKIDATA_GRAPH)}"
