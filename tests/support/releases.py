"""Two releases of the shipped data for the release tests: the second after a review changed."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from kg.release.publish import publish
from kg.resources import DATA_DIR

FIRST, SECOND = "1.0.0", "1.1.0"
REVIEW = "https://w3id.org/peru-ecuador-kg/id/review/2025-12-12-peru-ecuador/border-1500-km"
STATEMENT = (
    "https://w3id.org/peru-ecuador-kg/id/statement/2025-12-12-peru-ecuador/"
    "border-length.ecuador-peru-border.length"
)
"""The statement of the claim the review reviews."""
VERDICT, NEW_VERDICT = (
    "https://w3id.org/peru-ecuador-kg/ontology/verdict/rounded",
    "https://w3id.org/peru-ecuador-kg/ontology/verdict/corrected",
)
BODY, NEW_BODY = "1,529 km (the article rounds)", "1,529 km (the article rounds it down)"


@dataclass(frozen=True)
class Releases:
    """Where the releases were written, and the data folder as the second one saw it."""

    root: Path
    data: Path


def change_review(data: Path) -> None:
    """Reword one review and change its verdict, as a curator would."""
    reviews = data / "reviews.trig"
    text = reviews.read_text(encoding="utf-8")
    edited = text.replace(f'"{BODY}"@en', f'"{NEW_BODY}"@en').replace(
        "schema:reviewRating verdict:rounded ;", "schema:reviewRating verdict:corrected ;"
    )
    assert edited.count(NEW_BODY) == 1 and "verdict:rounded" not in edited
    reviews.write_text(edited, encoding="utf-8")


def two_releases(base: Path) -> Releases:
    """Release a copy of the shipped data, change a review, release again."""
    data = base / "data"
    shutil.copytree(DATA_DIR, data)
    root = base / "releases"
    publish(FIRST, root, data_dir=data, issued=datetime(2026, 1, 1, tzinfo=UTC))
    change_review(data)
    publish(SECOND, root, data_dir=data, issued=datetime(2026, 2, 1, tzinfo=UTC))
    return Releases(root, data)
