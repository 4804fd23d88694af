"""Prepare texts as the query path does, for tests that call a back end directly."""

from __future__ import annotations

from kg.execution.base import PreparedQuery, PreparedUpdate
from kg.prepare import Preparer
from kg.settings import Settings


def prepared(text: str, settings: Settings | None = None) -> PreparedQuery:
    """Return a query prepared under the settings (the defaults when none are given)."""
    return Preparer(settings or Settings()).query(text)


def prepared_update(text: str, settings: Settings | None = None) -> PreparedUpdate:
    """Return an update prepared under the settings (the defaults when none are given)."""
    return Preparer(settings or Settings()).update(text)
