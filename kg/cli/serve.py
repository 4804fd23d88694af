"""``kg serve``: the application under gunicorn's arbiter, with the project's own front end.

gunicorn binds, forks and replaces the HTTP worker processes; each runs ``BufferedWorker``,
which reads every request completely, under deadlines and connection caps, before a thread
runs the application (README "Running in production" has the measurements behind the choice).
"""

from __future__ import annotations

import logging
import math
import resource
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

from kg.cli.options import settings_from, settings_options
from kg.cli.runtime import open_services
from kg.server.reading import Limits
from kg.server.store_lock import StoreLock, StoreLocked
from kg.settings import Settings
from kg.web import create_app

MIN_THREADS = 16
"""Fewest application threads per HTTP worker: they wait on query processes, not on clients."""


def front_end_limits(settings: Settings) -> Limits:
    """Return the front end's limits from the settings.

    There are threads enough for every query slot and every query the line may hold, so that
    a request waiting for a slot waits in the line, within its deadline, and the line's length
    is the one the settings say.
    """
    threads = max(MIN_THREADS, settings.max_concurrent_queries + settings.max_queued_queries)
    return Limits(
        header_timeout=settings.header_timeout,
        body_timeout=settings.body_timeout,
        max_body_bytes=settings.max_body_bytes,
        max_connections=settings.max_connections,
        max_connections_per_client=settings.max_connections_per_client,
        threads=threads,
        client_threads=max(1, math.ceil(threads * settings.client_share)),
        # Room for a few largest bodies at once; more uploads than that wait for a 503's retry.
        buffered_body_bytes=max(64 * 1024 * 1024, 4 * settings.max_body_bytes),
    )


def allow_open_files(connections: int) -> None:
    """Raise the soft limit on open files so the connection cap, not EMFILE, is what binds."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + 256
    if soft != resource.RLIM_INFINITY and soft < wanted:
        ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))


class Server(BaseApplication):  # type: ignore[misc]
    """A gunicorn application serving one already-built Flask app."""

    def __init__(self, app: Flask, settings: Settings, lock: StoreLock | None = None) -> None:
        self.app = app
        self.settings = settings
        self.limits = front_end_limits(settings)
        self.lock = lock
        super().__init__()

    def load_config(self) -> None:
        """Configure gunicorn from the settings, not from its command line."""
        config = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.workers,
            "worker_class": "kg.server.worker.BufferedWorker",
            "timeout": int(self.settings.query_timeout) + 30,
            "preload_app": True,
            # kg.web.access_log writes one structured line per request (query hashed, never
            # the text); gunicorn's own access log would print whole query strings.
            "accesslog": None,
            "errorlog": "-",
            "when_ready": self.ready,
        }
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn 25+ opens one control socket per user at a fixed path; several servers
            # (tests, a second instance) would fight over it, and nothing here uses it.
            config["control_socket_disable"] = True
        for key, value in config.items():
            self.cfg.set(key, value)

    def ready(self, arbiter: Any) -> None:
        """Say where the server listens, to its user and in the store lock."""
        url = announce(arbiter)
        if self.lock is not None:
            self.lock.describe(url)

    def load(self) -> Flask:
        """Return the app built before the workers fork."""
        return self.app


def log_requests() -> None:
    """Send the project's log lines (access lines at info, errors) to standard error."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    project = logging.getLogger("kg")
    project.addHandler(handler)
    project.setLevel(logging.INFO)


def announce(arbiter: Any) -> str:
    """Print the URL to open once the socket is bound (with the real port when --port 0)."""
    host, port = arbiter.LISTENERS[0].sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/"
    click.echo(f"Serving the knowledge graph at {url}", err=False)
    click.echo(f"SPARQL endpoint: {url}sparql", err=False)
    return url


@click.command()
@settings_options()
def serve(**values: Any) -> None:
    """Serve the graph over HTTP: SPARQL endpoint, pages and downloads."""
    settings = settings_from(values)
    if settings.workers > 1 and settings.store is None and settings.store_url is None:
        raise click.UsageError(
            "more than one worker needs --store (an on-disk store they share) or --store-url"
        )
    if settings.workers > 1 and settings.write_token is not None and settings.store_url is None:
        raise click.UsageError(
            "a server that accepts writes runs one worker: a write must stop every reader"
        )
    lock = hold_store(settings)
    log_requests()
    allow_open_files(settings.max_connections)
    services = open_services(settings, progress=True)
    app = create_app(services.backend, settings)
    Server(app, settings, lock).run()


def hold_store(settings: Settings) -> StoreLock | None:
    """Lock the store directory for this server's lifetime: exclusively when it accepts writes."""
    if settings.store is None:
        return None
    try:
        return StoreLock(settings.store, exclusive=settings.write_token is not None)
    except StoreLocked as locked:
        raise click.ClickException(str(locked)) from None
