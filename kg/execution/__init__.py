"""Run prepared queries, updates and graph transfers against an embedded or a remote store."""

from kg.execution.base import (
    DEFAULT_GRAPH,
    Backend,
    Dataset,
    Deadline,
    Outcome,
    PreparedQuery,
    PreparedUpdate,
)

__all__ = [
    "DEFAULT_GRAPH",
    "Backend",
    "Dataset",
    "Deadline",
    "Outcome",
    "PreparedQuery",
    "PreparedUpdate",
]
