"""The example queries of queries/ as the query editor and their own pages show them."""

from __future__ import annotations

from kg.graph.void import EXAMPLE_NS, Example, read_examples
from kg.web import services

__all__ = ["EXAMPLE_NS", "Example", "example_named", "examples"]


def examples() -> list[Example]:
    """Return the example queries (the shipped ones unless the settings name another folder)."""
    return read_examples(services().settings.examples)


def example_named(name: str) -> Example | None:
    """Return the example with this file name, if there is one."""
    return next((e for e in examples() if e.name == name), None)
