"""The Flask application factory: one app, the store injected, blueprints by responsibility."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app

from kg.execution.base import Backend
from kg.pipeline import Services
from kg.release.serving import Releases
from kg.settings import Settings
from kg.web.cache import ResponseCache

RELEASES = "kg.releases"


def create_app(
    backend: Backend, settings: Settings | None = None, test_config: dict[str, Any] | None = None
) -> Flask:
    """Build the web application around a back end; nothing is built at import time."""
    from kg.web import (
        access_log,
        assets,
        clients,
        errors,
        export,
        pages,
        releases,
        security,
        sparql,
        store,
    )

    settings = settings or Settings()
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, JSON_SORT_KEYS=False)
    if test_config:
        app.config.update(test_config)
    live = app.extensions["kg"] = Services(settings, backend)
    served = app.extensions[RELEASES] = Releases(Path(settings.releases), live)
    static = assets.Assets(Path(app.static_folder or "static"))
    app.jinja_env.globals["asset"] = static.url
    errors.register(app)
    clients.install(app)
    security.install(app)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(store.blueprint)
    pages.register(app)
    app.register_blueprint(export.blueprint)
    app.register_blueprint(releases.blueprint)
    # Over a remote store, other instances and loaders write too and no version is shared
    # with them, so no answer kept here could be known to be fresh: the cache stays off.
    if settings.response_cache_mb > 0 and settings.store_url is None:
        # Pages say since which release a statement exists and list the releases, so an answer
        # depends on the releases published as well as on the data.
        app.wsgi_app = ResponseCache(  # type: ignore[method-assign]
            app.wsgi_app,
            lambda: hash((backend.version, served.generation())),
            max_bytes=settings.response_cache_mb * 1024 * 1024,
        )
    # Outside the cache: the assets answer by Accept-Encoding, which the cache does not key on.
    app.wsgi_app = static.wrap(app.wsgi_app)  # type: ignore[method-assign]
    access_log.install(app)
    return app


def services(release: str | None = None) -> Services:
    """Return the running instance's services, or those over one release (``latest`` allowed)."""
    if release is not None:
        return served_releases().services(release)
    found: Services = current_app.extensions["kg"]
    return found


def served_releases() -> Releases:
    """Return the dated releases the running instance serves."""
    found: Releases = current_app.extensions[RELEASES]
    return found
