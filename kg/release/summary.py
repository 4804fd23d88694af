"""The changes people read: new articles and claims, changed verdicts, new Wikidata links.

Each question is one SPARQL file in ``summary/`` (header: a title line, then what it lists),
run over the old and the new release. Its rows are compared whole; the variables before the
last one are the row's key, so a key whose row changed (a review whose verdict went from
"wrong" to "correct") is reported as changed rather than as one removal and one addition.
Adapting the summary to a new model means editing these files, not this module.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import QuerySolutions, Store

from kg import iris
from kg.graph.void import header_of
from kg.release.patch import GraphChange, counts

SUMMARY_DIR = Path(__file__).resolve().parent / "summary"

Row = tuple[str, ...]
"""One solution, each term in its N-Triples form (unbound: an empty string)."""


@dataclass
class Section:
    """What one question's answer lost, gained and changed between two releases."""

    title: str
    description: str
    added: list[Row] = field(default_factory=list)
    removed: list[Row] = field(default_factory=list)
    changed: list[tuple[Row, Row]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Tell whether nothing changed."""
        return not (self.added or self.removed or self.changed)


def questions(folder: Path = SUMMARY_DIR) -> list[tuple[str, str, str]]:
    """Return each summary question: its title, its description and its query text."""
    found = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header = header_of(text)
        found.append((header.title or path.stem, header.description, text))
    return found


def answer(store: Store | None, text: str) -> set[Row]:
    """Return a question's rows over a release's union graph (no rows without a release)."""
    if store is None:
        return set()
    solutions = store.query(text, use_default_graph_as_union=True)
    if not isinstance(solutions, QuerySolutions):
        raise TypeError("a summary question must be a SELECT query")
    names = solutions.variables
    return {tuple("" if row[v] is None else str(row[v]) for v in names) for row in solutions}


def compare(title: str, description: str, old: set[Row], new: set[Row]) -> Section:
    """Sort rows into added, removed, and changed (one of each sharing a key)."""
    section = Section(title, description)
    added, removed = sorted(new - old), sorted(old - new)
    added_by_key = group(added)
    removed_by_key = group(removed)
    for key, rows in removed_by_key.items():
        gained = added_by_key.get(key, [])
        if len(rows) == 1 and len(gained) == 1:
            section.changed.append((rows[0], gained[0]))
            added.remove(gained[0])
        else:
            section.removed.extend(rows)
    section.added = added
    return section


def group(rows: Iterable[Row]) -> dict[Row, list[Row]]:
    """Group rows by their key (every term but the last)."""
    grouped: dict[Row, list[Row]] = {}
    for row in rows:
        grouped.setdefault(row[:-1] if len(row) > 1 else row, []).append(row)
    return grouped


def summarize(old: Store | None, new: Store, folder: Path = SUMMARY_DIR) -> list[Section]:
    """Answer every summary question over both releases and compare the answers."""
    return [
        compare(title, description, answer(old, text), answer(new, text))
        for title, description, text in questions(folder)
    ]


def shown(term: str) -> str:
    """Write a term for people: a minted IRI by its path, Wikidata as wd:Q…, a literal's text."""
    if not term:
        return "(none)"
    if term.startswith("<") and term.endswith(">"):
        value = term[1:-1]
        if iris.is_minted(value):
            return value[len(iris.BASE) :]
        if value.startswith(iris.WIKIDATA_ENTITY):
            return "wd:" + value[len(iris.WIKIDATA_ENTITY) :]
        return value
    if term.startswith('"'):
        return '"' + literal_text(term) + '"'
    return term


def literal_text(term: str) -> str:
    """Return the lexical form of a literal written in N-Triples."""
    closing = term.rfind('"')
    inner = term[1:closing]
    return inner.replace('\\"', '"').replace("\\\\", "\\").replace("\\n", " ")


def row_text(row: Row) -> str:
    """Write a row as one line."""
    return ", ".join(shown(term) for term in row)


def graph_name(graph: str) -> str:
    """Write a graph name for people."""
    return shown(f"<{graph}>") if graph else "(default graph)"


def render(
    sections: list[Section],
    changes: dict[str, GraphChange],
    *,
    version: str,
    previous: str | None,
    issued: str,
) -> str:
    """Return the Markdown summary of a release's changes."""
    removed, added = counts(changes)
    since = f"release {previous}" if previous else "nothing (this is the first release)"
    lines = [
        f"# Release {version}",
        "",
        f"Issued {issued}. Changes since {since}: {removed} statement(s) removed and {added} "
        f"added, in {len(changes)} graph(s). Every statement is in `changes.rdfp` (RDF Patch).",
    ]
    for section in sections:
        lines += ["", f"## {section.title}", ""]
        if section.description:
            lines += [section.description, ""]
        if section.empty:
            lines.append("No change.")
        lines += [f"- new: {row_text(row)}" for row in section.added]
        lines += [f"- removed: {row_text(row)}" for row in section.removed]
        lines += [
            f"- changed: {row_text(before[:-1])}: {shown(before[-1])} → {shown(after[-1])}"
            for before, after in section.changed
        ]
    lines += ["", "## Statements per graph", ""]
    if changes:
        lines += ["| graph | removed | added |", "|---|---|---|"]
        lines += [
            f"| {graph_name(graph)} | {len(change.removed)} | {len(change.added)} |"
            for graph, change in changes.items()
        ]
    else:
        lines.append("No graph changed.")
    return "\n".join(lines) + "\n"


def notes(sections: list[Section], changes: dict[str, GraphChange]) -> str:
    """Return a one-paragraph account of the changes (the release's adms:versionNotes)."""
    removed, added = counts(changes)
    parts = [f"{removed} statement(s) removed and {added} added in {len(changes)} graph(s)"]
    for section in sections:
        if not section.empty:
            parts.append(
                f"{section.title.lower()}: {len(section.added)} new, "
                f"{len(section.changed)} changed, {len(section.removed)} removed"
            )
    return "; ".join(parts) + "."
