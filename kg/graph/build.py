"""Build a store from the shipped files (placeholder: the graph issue fills it)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import Store


def open_store(
    path: Path | None = None,
    *,
    include_article: bool = True,
    extra: Sequence[Path] = (),
    progress: bool = False,
) -> Store:
    """Return a store holding the graph: in memory, or on disk at path (built once, reopened)."""
    store = Store(str(path)) if path else Store()
    for file in extra:
        store.bulk_load(path=str(file))
    return store
