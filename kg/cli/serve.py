"""``kg serve``: the application under gunicorn, a production WSGI server."""

from __future__ import annotations

import logging
from typing import Any

import click
from flask import Flask
from gunicorn.app.base import BaseApplication

from kg.cli.options import settings_from, settings_options
from kg.cli.runtime import open_services
from kg.settings import Settings
from kg.web import create_app

THREADS = 8
"""Threads per worker: requests wait on the store, not the CPU, so a few run at once."""


class Server(BaseApplication):  # type: ignore[misc]
    """A gunicorn application serving one already-built Flask app."""

    def __init__(self, app: Flask, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        """Configure gunicorn from the settings, not from its command line."""
        config = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.workers,
            "worker_class": "gthread",
            "threads": THREADS,
            "timeout": int(self.settings.query_timeout) + 30,
            "preload_app": True,
            # kg.web.access_log writes one structured line per request (query hashed, never
            # the text); gunicorn's own access log would print whole query strings.
            "accesslog": None,
            "errorlog": "-",
            "when_ready": announce,
        }
        if "control_socket_disable" in self.cfg.settings:
            # gunicorn 25+ opens one control socket per user at a fixed path; several servers
            # (tests, a second instance) would fight over it, and nothing here uses it.
            config["control_socket_disable"] = True
        for key, value in config.items():
            self.cfg.set(key, value)

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


def announce(arbiter: Any) -> None:
    """Print the URL to open once the socket is bound (with the real port when --port 0)."""
    host, port = arbiter.LISTENERS[0].sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"Serving the knowledge graph at http://{shown}:{port}/", err=False)
    click.echo(f"SPARQL endpoint: http://{shown}:{port}/sparql", err=False)


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
    log_requests()
    services = open_services(settings, progress=True)
    app = create_app(services.backend, settings)
    Server(app, settings).run()
