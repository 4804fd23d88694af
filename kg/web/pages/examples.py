"""The example queries of queries/ as the query editor and their own pages show them."""

from __future__ import annotations

from pathlib import Path

from kg.graph.void import EXAMPLE_NS, Example, read_examples

__all__ = ["EXAMPLE_NS", "Example", "example_named", "read_examples"]


def example_named(folder: Path | None, name: str) -> Example | None:
    """Return the example with this file name in a folder (the shipped one with None)."""
    return next((e for e in read_examples(folder) if e.name == name), None)
