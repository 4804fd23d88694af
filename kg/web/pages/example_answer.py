"""Run an example query for its own page, so its answer reads without JavaScript."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.web.pages.examples import EXAMPLE_NS, Example, example_named
from kg.web.pages.labels import Labels
from kg.web.pages.reader import Reader, Row


@dataclass
class Answer:
    """An example query and the table it answers with."""

    example: Example
    variables: list[str]
    rows: list[Row]
    labels: Labels

    @property
    def text(self) -> str:
        """Return the query text."""
        return self.example.text


def answer(reader: Reader, examples: Path | None, iri: str, language: str) -> Answer | None:
    """Run the example query an IRI names (from that folder), or None when it names none."""
    if not iri.startswith(EXAMPLE_NS):
        return None
    example = example_named(examples, iri[len(EXAMPLE_NS) :])
    if example is None or example.form not in ("SELECT", "ASK"):
        return None
    variables, rows = reader.select_table(example.text)
    mentioned = {t.value for row in rows for t in row.values() if t.is_iri}
    return Answer(example, variables, rows, Labels.fetch(reader, mentioned, language))
