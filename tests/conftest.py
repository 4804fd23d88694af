"""Shared fixtures: each test gets its own store and app; nothing is shared between tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyoxigraph import Store
from support.paths import SAMPLE
from support.server import ServerProcess, start_server
from support.virtuoso import VirtuosoServer

from kg.execution.embedded import EmbeddedBackend
from kg.settings import Settings
from kg.web import create_app


@pytest.fixture
def settings() -> Settings:
    """Return the settings of the test app (override the fixture to change them)."""
    return Settings()


@pytest.fixture
def store() -> Store:
    """Return an in-memory store holding the sample dataset."""
    store = Store()
    store.load(path=SAMPLE)
    return store


@pytest.fixture
def app(store: Store, settings: Settings) -> Flask:
    """Return the web application over the sample store."""
    return create_app(EmbeddedBackend(store), settings, {"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """Return a test client of the app."""
    return app.test_client()


@pytest.fixture(scope="session")
def live_server() -> Iterator[ServerProcess]:
    """Start one real ``kg serve`` process with the sample dataset for the whole session."""
    server = start_server("--no-article", "--data", str(SAMPLE))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    """Start one Virtuoso for the session (it takes seconds); tests leave it without graphs."""
    server = VirtuosoServer(tmp_path_factory.mktemp("virtuoso")).start()
    yield server
    server.stop()
