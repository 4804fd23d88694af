"""The Flask application factory: one app, the store injected, blueprints by responsibility."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app

from kg.execution.base import Backend
from kg.pipeline import Services
from kg.policy import Policy
from kg.settings import Settings
from kg.web.cache import ResponseCache


def create_app(
    backend: Backend, settings: Settings | None = None, test_config: dict[str, Any] | None = None
) -> Flask:
    """Build the web application around a back end; nothing is built at import time."""
    from kg.web import access_log, errors, export, pages, releases, sparql, store

    settings = settings or Settings()
    app = Flask(__name__)
    app.config.update(MAX_CONTENT_LENGTH=settings.max_body_bytes, JSON_SORT_KEYS=False)
    if test_config:
        app.config.update(test_config)
    app.extensions["kg"] = Services(settings, backend, Policy(settings))
    errors.register(app)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(store.blueprint)
    app.register_blueprint(pages.blueprint)
    app.register_blueprint(export.blueprint)
    app.register_blueprint(releases.blueprint)
    if settings.response_cache_mb > 0:
        app.wsgi_app = ResponseCache(  # type: ignore[method-assign]
            app.wsgi_app,
            lambda: backend.version,
            max_bytes=settings.response_cache_mb * 1024 * 1024,
        )
    access_log.install(app)
    return app


def services() -> Services:
    """Return the running instance's services (inside a request or app context)."""
    found: Services = current_app.extensions["kg"]
    return found
