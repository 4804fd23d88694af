"""Say where in the data files a resource is written: the file, the named graph and the line.

The store forgets which file a triple came from, so the files are read once more: each quad's
subject is indexed with its file and graph, and a line is found by looking for the resource as
the file writes it (``<iri>`` or any ``prefix:local`` its prefixes allow).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from pyoxigraph import NamedNode, parse

from kg.graph.sources import Source

NAME_CHARS = "-_.:%"


@dataclass(frozen=True)
class Place:
    """Where a resource is written."""

    file: Path
    graph: str | None
    line: int | None


@dataclass
class SourceFile:
    """One data file: its lines, its prefixes, the subjects of each of its graphs."""

    source: Source
    prefixes: dict[str, str]
    subjects: dict[str, set[str]]
    graphs: set[str]

    @cached_property
    def lines(self) -> list[str]:
        """Return the file's lines."""
        return self.source.path.read_text(encoding="utf-8", errors="replace").splitlines()

    def spellings(self, iri: str) -> list[str]:
        """Return the ways this file can write an IRI."""
        found = [f"<{iri}>"]
        for prefix, namespace in self.prefixes.items():
            if iri.startswith(namespace) and len(iri) > len(namespace):
                found.append(f"{prefix}:{iri[len(namespace) :]}")
        return found

    def line_of(
        self, iri: str, predicate: str | None = None, graph: str | None = None
    ) -> int | None:
        """Return the line (from 1) that writes an IRI, preferring one where it is the subject.

        With a graph, the search starts at the line that opens that graph's block.
        """
        spellings = self.spellings(iri)
        start = 1
        if graph and graph != iri:
            opening = self.spellings(graph)
            start = next(
                (n for n, line in enumerate(self.lines, 1) if starts_with(line, opening)), 1
            )
        hits = [
            n
            for n, line in enumerate(self.lines[start - 1 :], start=start)
            if writes(line, spellings)
        ]
        if not hits:
            return None
        first = next((n for n in hits if starts_with(self.lines[n - 1], spellings)), hits[0])
        if predicate is None:
            return first
        wanted = self.spellings(predicate)
        for n in range(first, min(first + 30, len(self.lines)) + 1):
            if writes(self.lines[n - 1], wanted):
                return n
        return first


def writes(line: str, spellings: Iterable[str]) -> bool:
    """Tell whether a line holds one of the spellings as a whole token."""
    code = line.split("#", 1)[0] if '"' not in line else line
    for spelling in spellings:
        at = code.find(spelling)
        while at != -1:
            before = code[at - 1] if at else " "
            end = at + len(spelling)
            after = code[end] if end < len(code) else " "
            if not (before.isalnum() or before in NAME_CHARS) and not (
                after.isalnum() or (after in NAME_CHARS and after != ".") or after == ":"
            ):
                return True
            at = code.find(spelling, at + 1)
    return False


def starts_with(line: str, spellings: Iterable[str]) -> bool:
    """Tell whether a line opens with one of the spellings (the resource is its subject)."""
    stripped = line.lstrip()
    return any(stripped.startswith(s) and writes(stripped[: len(s) + 1], [s]) for s in spellings)


def read(source: Source) -> SourceFile:
    """Read one file's quads, indexing subjects by graph (a triples file's graph is its own)."""
    quads = parse(path=source.path, format=source.format)
    subjects: dict[str, set[str]] = {}
    graphs: set[str] = set()
    for quad in quads:
        graph = getattr(quad.graph_name, "value", None) or source.graph or ""
        graphs.add(graph)
        if isinstance(quad.subject, NamedNode):
            subjects.setdefault(quad.subject.value, set()).add(graph)
        for term in (quad.predicate, quad.object, quad.graph_name):
            if isinstance(term, NamedNode):
                subjects.setdefault(term.value, set())
    return SourceFile(source, dict(quads.prefixes), subjects, graphs)


class Locator:
    """Find where resources are written in a set of data files (read when first asked)."""

    def __init__(self, sources: Iterable[Source]) -> None:
        self.sources = list(sources)

    @cached_property
    def files(self) -> list[SourceFile]:
        """Return every readable file, parsed (files that fail to parse are left out)."""
        found = []
        for source in self.sources:
            try:
                found.append(read(source))
            except (SyntaxError, OSError, ValueError):
                continue
        return found

    def candidates(self, iri: str, graph: str | None) -> Iterator[tuple[SourceFile, str | None]]:
        """Yield the files that write an IRI (in the graph, if given): subjects first."""
        for file in self.files:
            graphs = file.subjects.get(iri)
            if graphs and (graph is None or graph in graphs):
                yield file, graph or min(graphs)
        for file in self.files:
            if iri in file.subjects and (graph is None or graph in file.graphs):
                yield file, graph

    def place(
        self, iri: str, graph: str | None = None, predicate: str | None = None
    ) -> Place | None:
        """Return where an IRI is written: its file, graph and line, or None if nowhere."""
        for file, found in self.candidates(iri, graph):
            return Place(file.source.path, found or None, file.line_of(iri, predicate, found))
        return None
