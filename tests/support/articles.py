"""The article folders the tests use: the shipped ones, the fictional fixture, data copies."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from kg.graph.sources import article_ids
from kg.resources import DATA_DIR

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "articles"
FIXTURE = "2026-01-20-fictional-border-post"
REFERENCE = "2025-12-12-peru-ecuador"
"""The article the pinned answers (tests/answers, graph sizes) were written for."""


def shipped_articles() -> list[str]:
    """Return the published articles shipped in the package (a new one changes no test)."""
    return article_ids(DATA_DIR)


def data_copy(
    target: Path, articles: Iterable[str] | None = None, extra: Iterable[str] = ()
) -> Path:
    """Copy the shipped data folder, keeping only the given articles, and add fixture articles."""
    keep = None if articles is None else set(articles)

    def ignore(folder: str, names: list[str]) -> list[str]:
        if keep is None or Path(folder).name != "articles":
            return [n for n in names if n == "__pycache__"]
        return [n for n in names if n not in keep]

    shutil.copytree(DATA_DIR, target, ignore=ignore)
    for name in extra:
        shutil.copytree(FIXTURES / name, target / "articles" / name)
    return target
