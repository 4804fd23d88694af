"""Open the store and the services every command runs on."""

from __future__ import annotations

import math

import click

from kg.execution.embedded import EmbeddedBackend
from kg.execution.remote import RemoteBackend
from kg.graph.build import open_store
from kg.graph.sources import DataError
from kg.pipeline import Services
from kg.policy import Policy
from kg.settings import Settings


def client_slots(settings: Settings) -> int:
    """Return how many query slots one client may hold: its share, rounded up, at least one."""
    return max(1, math.ceil(settings.max_concurrent_queries * settings.client_share))


def open_services(settings: Settings, *, progress: bool = False) -> Services:
    """Build (or reopen) the store the settings describe and wrap it in the query services."""
    if settings.store_url is not None:
        remote = RemoteBackend(
            settings.store_url,
            update_url=settings.update_url,
            credentials=settings.store_auth,
            max_concurrent=settings.max_concurrent_queries,
        )
        return Services(settings, remote, Policy(settings))
    try:
        store = open_store(
            settings.store,
            include_article=not settings.no_article,
            extra=settings.data,
            progress=progress,
        )
    except (DataError, OSError, SyntaxError, ValueError) as error:
        raise click.ClickException(f"cannot build the store: {error}") from None
    # With --store, query workers open the directory read-only: no process may keep it open
    # read-write, so the store built here is closed before they start. A write that a crash
    # left in the log only is flushed first: read-only opens would replay it every time.
    if settings.store is not None:
        store.flush()
    memory = store if settings.store is None else None
    del store
    backend = EmbeddedBackend(
        memory,
        path=settings.store,
        writable=settings.write_token is not None,
        workers=settings.max_concurrent_queries,
        row_cap=settings.result_row_cap,
        drain_timeout=settings.query_timeout,
        client_slots=client_slots(settings),
        memory_budget=settings.query_memory_mb * 1024 * 1024 if settings.query_memory_mb else None,
    )
    return Services(settings, backend, Policy(settings))
