"""Since which release a statement has been in the graph.

A statement is "in since" the oldest release of the unbroken run of releases, ending with the
latest, that all hold it: a statement removed in 1.1 and added back in 1.3 is in since 1.3.
Statements are compared as N-Quads lines (graph included), as the release files write them, so
one with blank nodes is found only under its canonical labels (``kg.release.canonical``).
"""

from __future__ import annotations

from pyoxigraph import Quad

from kg.release import names
from kg.release.canonical import line
from kg.release.catalog import Release


class History:
    """The statements of a chain of releases (oldest first), read when first asked."""

    def __init__(self, chain: list[Release]) -> None:
        self.chain = chain
        self._lines: list[frozenset[str]] | None = None

    def lines(self) -> list[frozenset[str]]:
        """Return the N-Quads lines of each release of the chain."""
        if self._lines is None:
            self._lines = [
                frozenset(
                    release.file(names.DATASET_NQUADS)
                    .read_text(encoding="utf-8")
                    .splitlines(keepends=True)
                )
                for release in self.chain
            ]
        return self._lines

    def since(self, quad: Quad) -> str | None:
        """Return the version since which the statement is in every release, or None if not."""
        wanted = line(quad)
        found = None
        for release, lines in zip(reversed(self.chain), reversed(self.lines()), strict=True):
            if wanted not in lines:
                break
            found = release.version
        return found
