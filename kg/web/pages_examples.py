"""The example queries shipped in queries/: name, title (the header comment) and text."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg import iris
from kg.resources import queries_dir

EXAMPLE_NS = iris.ID_NS + "query/"


@dataclass(frozen=True)
class Example:
    """One example query file."""

    name: str
    title: str
    description: str
    text: str

    @property
    def iri(self) -> str:
        """Return the example's minted IRI (described in the VoID graph)."""
        return EXAMPLE_NS + self.name


def header_of(text: str) -> tuple[str, str]:
    """Return the title and description from a query's leading comment block."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.lstrip("#").strip())
    if not lines:
        return "", ""
    title = lines[0].removeprefix("Question:").strip()
    return title, " ".join(line for line in lines[1:] if line)


def load(path: Path) -> Example:
    """Read one query file."""
    text = path.read_text(encoding="utf-8")
    title, description = header_of(text)
    return Example(path.stem, title or path.stem, description, text)


def examples(folder: Path | None = None) -> list[Example]:
    """Return the example queries (not the checks), in file-name order."""
    folder = folder or queries_dir()
    return [load(path) for path in sorted(folder.glob("*.rq"))]


def example_named(name: str) -> Example | None:
    """Return the example with this file name, if there is one."""
    return next((e for e in examples() if e.name == name), None)
