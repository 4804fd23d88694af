"""Open the store and the services every command runs on."""

from __future__ import annotations

import ctypes
import ctypes.util

import click

from kg.errors import KgError, ServiceUnavailable
from kg.execution.embedded import EmbeddedBackend
from kg.execution.remote import RemoteBackend
from kg.graph.build import open_store
from kg.graph.sources import DataError
from kg.pipeline import Services
from kg.settings import Settings


def open_remote(settings: Settings, store_url: str) -> RemoteBackend:
    """Connect to a remote store and check that its default graph is the union of its graphs."""
    try:
        remote = RemoteBackend(
            store_url,
            update_url=settings.update_url,
            credentials=settings.store_auth,
            max_concurrent=settings.max_concurrent_queries,
            explicit_union=settings.explicit_union,
        )
    except KgError as error:  # credentials --store-auth cannot take
        raise click.ClickException(error.message) from None
    try:
        remote.check_union()
    except ServiceUnavailable as error:
        click.echo(f"warning: cannot check the store yet: {error.message}", err=True)
    except KgError as error:
        remote.close()
        raise click.ClickException(error.message) from None
    return remote


def open_services(settings: Settings, *, progress: bool = False) -> Services:
    """Build (or reopen) the store the settings describe and wrap it in the query services."""
    if settings.store_url is not None:
        return Services(settings, open_remote(settings, settings.store_url))
    try:
        store = open_store(
            settings.store,
            include_article=not settings.no_article,
            extra=settings.data,
            progress=progress,
            base=settings.base,
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
    if memory is None:
        # Building the store grew the heap; every HTTP worker is forked from this process.
        release_free_heap()
    return Services(settings, EmbeddedBackend.from_settings(settings, memory, path=settings.store))


def release_free_heap() -> None:
    """Give the memory the C allocator holds but no longer uses back to the system (glibc)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return
    trim = getattr(ctypes.CDLL(name), "malloc_trim", None)
    if trim is not None:
        trim(0)
