r"""The changes between two releases, per graph, written and read as RDF Patch.

RDF Patch (https://afs.github.io/rdf-delta/rdf-patch.html) is a line format: ``H`` header rows,
then a transaction ``TX .`` ... ``TC .`` of ``D`` (delete) and ``A`` (add) rows, each an N-Quads
statement. The header names the release the patch leads to (``H id``) and the one it applies to
(``H prev``), so the patches of all releases form a log: applying them in order to an empty
dataset rebuilds the latest release. Blank nodes carry their canonical labels (see
``kg.release.canonical``), the same as in the release's N-Quads file.

>>> old = {"<http://e/s> <http://e/p> \"1\" <http://e/g> .\n"}
>>> new = {"<http://e/s> <http://e/p> \"2\" <http://e/g> .\n"}
>>> print(write_patch(diff(old, new), "urn:new", "urn:old"), end="")
H id <urn:new> .
H prev <urn:old> .
TX .
D <http://e/s> <http://e/p> "1" <http://e/g> .
A <http://e/s> <http://e/p> "2" <http://e/g> .
TC .
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from pyoxigraph import RdfFormat, parse

from kg.release.names import ReleaseError

DEFAULT_GRAPH = ""
"""Key of the default graph in a GraphChange listing."""


@dataclass
class GraphChange:
    """The N-Quads lines one graph lost and gained."""

    removed: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)


def graph_of(line: str) -> str:
    """Return the graph name of an N-Quads line (DEFAULT_GRAPH when it has none)."""
    quad = next(iter(parse(line.encode(), format=RdfFormat.N_QUADS)))
    name = quad.graph_name
    return getattr(name, "value", DEFAULT_GRAPH)


def diff(old: Iterable[str], new: Iterable[str]) -> dict[str, GraphChange]:
    """Return, per graph, the lines only in old (removed) and only in new (added), sorted."""
    before, after = set(old), set(new)
    changes: dict[str, GraphChange] = {}
    for lines, removed in ((before - after, True), (after - before, False)):
        for line in lines:
            change = changes.setdefault(graph_of(line), GraphChange())
            (change.removed if removed else change.added).append(line)
    for change in changes.values():
        change.removed.sort()
        change.added.sort()
    return dict(sorted(changes.items()))


def write_patch(changes: dict[str, GraphChange], patch_id: str, previous: str | None) -> str:
    """Return the RDF Patch text of the changes: graph by graph, deletions before additions."""
    rows = [f"H id <{patch_id}> .\n"]
    if previous is not None:
        rows.append(f"H prev <{previous}> .\n")
    rows.append("TX .\n")
    for change in changes.values():
        rows += ["D " + line for line in change.removed]
        rows += ["A " + line for line in change.added]
    rows.append("TC .\n")
    return "".join(rows)


@dataclass
class Patch:
    """A parsed RDF Patch: its header and its rows, in order."""

    header: dict[str, str]
    rows: list[tuple[str, str]]


def read_patch(text: str) -> Patch:
    """Parse the RDF Patch rows this module writes (H, TX, TC, A and D), naming a bad line."""
    header: dict[str, str] = {}
    rows: list[tuple[str, str]] = []
    for number, row in enumerate(text.splitlines(keepends=True), start=1):
        code, _, rest = row.partition(" ")
        if code == "H":
            key, _, value = rest.strip().removesuffix(".").strip().partition(" ")
            header[key] = value.strip().removeprefix("<").removesuffix(">")
        elif code in ("A", "D"):
            try:
                next(iter(parse(rest.encode(), format=RdfFormat.N_QUADS)))
            except (SyntaxError, StopIteration):
                raise ReleaseError(f"patch line {number}: not an N-Quads statement") from None
            rows.append((code, rest if rest.endswith("\n") else rest + "\n"))
        elif code.strip() not in ("TX", "TC"):
            raise ReleaseError(f"patch line {number}: unknown row {code!r}")
    return Patch(header, rows)


def apply_patch(lines: set[str], patch: Patch) -> set[str]:
    """Return the N-Quads lines after the patch's deletions and additions, in order."""
    result = set(lines)
    for code, line in patch.rows:
        if code == "D":
            result.discard(line)
        else:
            result.add(line)
    return result


def counts(changes: dict[str, GraphChange]) -> tuple[int, int]:
    """Return how many statements were removed and added in all."""
    return (
        sum(len(c.removed) for c in changes.values()),
        sum(len(c.added) for c in changes.values()),
    )
