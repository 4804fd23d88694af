"""Write authorization: a bearer token, compared in constant time."""

from __future__ import annotations

import hmac

from kg.errors import Forbidden, Unauthorized


def require_writer(authorization: str | None, token: str | None) -> None:
    """Refuse a write unless writes are enabled and the Authorization header carries the token."""
    if token is None:
        raise Forbidden("this server is read-only; start it with --write-token to accept writes")
    scheme, _, presented = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not presented:
        raise Unauthorized(
            "writes need an 'Authorization: Bearer TOKEN' header",
            headers={"WWW-Authenticate": 'Bearer realm="peru-ecuador-kg"'},
        )
    if not holds_token(authorization, token):
        raise Forbidden("the bearer token is not the one this server accepts writes with")


def holds_token(authorization: str | None, token: str | None) -> bool:
    """Tell whether an Authorization header carries the write token (constant-time compare)."""
    scheme, _, presented = (authorization or "").partition(" ")
    if token is None or scheme.lower() != "bearer" or not presented:
        return False
    return hmac.compare_digest(presented.strip().encode(), token.encode())
