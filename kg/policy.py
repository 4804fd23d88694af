"""What a query or update may do, decided before anything runs: form, size, SERVICE and LOAD."""

from __future__ import annotations

from dataclasses import dataclass

from kg.errors import BadRequest, PayloadTooLarge
from kg.settings import Settings
from kg.sparql_text import is_update, query_form, tokenize


@dataclass(frozen=True)
class PreparedQuery:
    """A query accepted by policy: the text to evaluate and its form."""

    text: str
    form: str


@dataclass(frozen=True)
class Policy:
    """The checks every query and update passes, configured once from the settings."""

    settings: Settings

    def prepare_query(self, text: str) -> PreparedQuery:
        """Check a query and return the text to evaluate."""
        if len(text) > self.settings.max_query_length:
            raise PayloadTooLarge(
                f"the query is {len(text)} characters long; the limit is "
                f"{self.settings.max_query_length}"
            )
        tokens = tokenize(text)
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
        return PreparedQuery(text, form)

    def prepare_update(self, text: str) -> str:
        """Check an update and return the text to apply."""
        if len(text) > self.settings.max_query_length:
            raise PayloadTooLarge(
                f"the update is {len(text)} characters long; the limit is "
                f"{self.settings.max_query_length}"
            )
        tokens = tokenize(text)
        if query_form(tokens) is not None:
            raise BadRequest("this is a query, not an update; send it as query=")
        return text
