"""The example queries of queries/ as the query editor and their own pages show them."""

from __future__ import annotations

from flask import current_app

from kg.graph.void import EXAMPLE_NS, Example, read_examples

__all__ = ["EXAMPLE_NS", "Example", "example_named", "examples"]


def examples() -> list[Example]:
    """Return the example queries (the shipped ones unless the app's QUERIES_DIR says otherwise)."""
    return read_examples(current_app.config.get("QUERIES_DIR"))


def example_named(name: str) -> Example | None:
    """Return the example with this file name, if there is one."""
    return next((e for e in examples() if e.name == name), None)
