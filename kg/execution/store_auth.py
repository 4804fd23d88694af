"""Credentials for a remote store, as requests authentication handlers.

``--store-auth`` takes one of the schemes production stores use:

- ``user:password`` or ``Basic user:password``: HTTP Basic (Fuseki, most reverse proxies);
- ``Digest user:password``: HTTP Digest (Virtuoso's ``/sparql-auth`` and
  ``/sparql-graph-crud-auth``), answered after the store's challenge;
- ``Bearer TOKEN``: a bearer token (an OAuth proxy, a managed store).

>>> store_auth("Digest dba:secret").username
'dba'
>>> store_auth(None) is None
True
"""

from __future__ import annotations

import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from kg.errors import BadRequest

SCHEMES = ("Basic", "Digest", "Bearer")


class BearerAuth(AuthBase):
    """Send a bearer token in the Authorization header of every request."""

    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Add the token to one request."""
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BearerAuth) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)


def store_auth(credentials: str | None) -> AuthBase | None:
    """Turn ``--store-auth`` into an authentication handler (None when no credentials)."""
    if not credentials:
        return None
    scheme, space, rest = credentials.partition(" ")
    if not space or scheme.title() not in SCHEMES:
        scheme, rest = "Basic", credentials
    scheme = scheme.title()
    if scheme == "Bearer":
        if not rest.strip():
            raise BadRequest("--store-auth 'Bearer TOKEN' needs a token")
        return BearerAuth(rest.strip())
    user, colon, password = rest.partition(":")
    if not colon or not user:
        raise BadRequest(
            f"--store-auth takes 'user:password', '{scheme} user:password' or 'Bearer TOKEN'"
        )
    if scheme == "Digest":
        return HTTPDigestAuth(user, password)
    return HTTPBasicAuth(user, password)
