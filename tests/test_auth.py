"""Write authorization at /store: read-only by default, a bearer token compared in constant time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient
from pyoxigraph import Store

from kg.execution.embedded import EmbeddedBackend
from kg.settings import Settings
from kg.web import create_app

GRAPH = "/store?graph=http://example.org/g"
TURTLE = {"Content-Type": "text/turtle"}


def client_for(settings: Settings) -> Iterator[FlaskClient]:
    backend = EmbeddedBackend(Store(), writable=settings.write_token is not None, query_processes=1)
    yield create_app(backend, settings).test_client()
    backend.close()


@pytest.fixture
def writable() -> Iterator[FlaskClient]:
    yield from client_for(Settings(write_token="right-token"))


@pytest.fixture
def read_only() -> Iterator[FlaskClient]:
    yield from client_for(Settings())


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE"])
def test_write_without_token_is_401_with_a_challenge(writable: FlaskClient, method: str) -> None:
    response = writable.open(GRAPH, method=method, headers=TURTLE, data=b"<a> <b> <c> .")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="peru-ecuador-kg"'
    assert response.get_data(as_text=True) == (
        "401 Unauthorized: writes need an 'Authorization: Bearer TOKEN' header\n"
    )


@pytest.mark.parametrize("token", ["wrong-token", "right-toke", "right-token2", "RIGHT-TOKEN"])
def test_write_with_a_wrong_token_is_403(writable: FlaskClient, token: str) -> None:
    response = writable.put(
        GRAPH, headers={**TURTLE, "Authorization": f"Bearer {token}"}, data=b"<a> <b> <c> ."
    )
    assert response.status_code == 403
    assert "not the one this server accepts writes with" in response.get_data(as_text=True)
    assert writable.get(GRAPH).status_code == 404


def test_write_with_the_token_is_accepted(writable: FlaskClient) -> None:
    response = writable.put(
        GRAPH, headers={**TURTLE, "Authorization": "Bearer right-token"}, data=b"<a> <b> <c> ."
    )
    assert response.status_code == 201
    assert writable.get(GRAPH).status_code == 200


def test_read_only_server_refuses_every_write_with_403(read_only: FlaskClient) -> None:
    response = read_only.put(
        GRAPH, headers={**TURTLE, "Authorization": "Bearer anything"}, data=b"<a> <b> <c> ."
    )
    assert response.status_code == 403
    assert response.get_data(as_text=True) == (
        "403 Forbidden: this server is read-only; start it with --write-token to accept writes\n"
    )


def test_reads_need_no_token(read_only: FlaskClient) -> None:
    assert read_only.get("/store?default").status_code == 200
