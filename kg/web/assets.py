"""The static assets under content-hashed names, gzip-compressed once, cacheable for a year.

``/static/pages.3f2a9c01b7.css`` is ``static/pages.css`` as it is now: a new version of the file
gets a new name, so browsers may keep each one forever (``immutable``). Every asset is read and
compressed once, when the application is built, and served from memory by WSGI middleware in
front of the response cache: the cache keys on ``Accept`` but not on ``Accept-Encoding``, so a
compressed answer must never pass through it. Templates ask for ``asset("pages.css")``. The
unhashed names stay available from Flask's own static route (revalidated on every use).
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kg.web.security import HEADERS, OTHER_POLICY

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PREFIX = "/static/"
IMMUTABLE = "public, max-age=31536000, immutable"
COMPRESSIBLE = (".css", ".js", ".svg", ".json", ".txt", ".map")
HASH_LENGTH = 10
_CODING = re.compile(r"^\s*([^;\s]+)\s*(?:;\s*q\s*=\s*([0-9.]+))?")


@dataclass(frozen=True)
class Asset:
    """One static file: its bytes, their gzip form when smaller, its type and strong ETag."""

    body: bytes
    gzipped: bytes | None
    content_type: str
    etag: str


def hashed_name(relative: str, body: bytes) -> str:
    """Return the name an asset is served under: its content hash before its extension.

    >>> hashed_name("vendor/x.min.js", b"x")
    'vendor/x.min.2d711642b7.js'
    """
    digest = hashlib.sha256(body).hexdigest()[:HASH_LENGTH]
    stem, dot, extension = relative.rpartition(".")
    return f"{stem}.{digest}.{extension}" if dot else f"{relative}.{digest}"


def accepts_gzip(header: str) -> bool:
    """Tell whether an Accept-Encoding header admits gzip (q-values and ``*`` honoured).

    >>> accepts_gzip("gzip, deflate, br"), accepts_gzip("gzip;q=0, *"), accepts_gzip("")
    (True, False, False)
    """
    weights: dict[str, float] = {}
    for part in header.split(","):
        found = _CODING.match(part)
        if found is None:
            continue
        try:
            weights[found.group(1).lower()] = float(found.group(2) or 1)
        except ValueError:
            continue
    return weights.get("gzip", weights.get("x-gzip", weights.get("*", 0.0))) > 0


class Assets:
    """The assets of one static folder by hashed URL, and the middleware that serves them."""

    def __init__(self, folder: Path) -> None:
        self.urls: dict[str, str] = {}
        self.served: dict[str, Asset] = {}
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            relative = path.relative_to(folder).as_posix()
            body = path.read_bytes()
            url = PREFIX + hashed_name(relative, body)
            self.urls[relative] = url
            self.served[url] = asset_of(relative, body)

    def url(self, relative: str) -> str:
        """Return the hashed URL of a static file (a template global)."""
        return self.urls[relative]

    def wrap(self, app: WSGIApplication) -> AssetMiddleware:
        """Return WSGI middleware answering hashed asset URLs, passing everything else to app."""
        return AssetMiddleware(self, app)


class AssetMiddleware:
    """Answer hashed asset URLs from memory; pass everything else to the wrapped ``app``."""

    def __init__(self, assets: Assets, app: WSGIApplication) -> None:
        self.assets = assets
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Serve one request."""
        found = self.assets.served.get(environ.get("PATH_INFO", ""))
        method = environ.get("REQUEST_METHOD")
        if found is None or method not in ("GET", "HEAD"):
            return self.app(environ, start_response)
        return respond(found, environ, start_response, head=method == "HEAD")


def asset_of(relative: str, body: bytes) -> Asset:
    """Read one file into an Asset, compressing text formats when that makes them smaller."""
    content_type = mimetypes.guess_type(relative)[0] or "application/octet-stream"
    if content_type.startswith("text/") or content_type.endswith(("javascript", "json")):
        content_type += "; charset=utf-8"
    gzipped = None
    if relative.endswith(COMPRESSIBLE):
        # mtime=0: the compressed bytes depend on the content only, like the name.
        packed = gzip.compress(body, compresslevel=9, mtime=0)
        gzipped = packed if len(packed) < len(body) else None
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    return Asset(body, gzipped, content_type, etag)


def respond(
    asset: Asset, environ: WSGIEnvironment, start_response: StartResponse, *, head: bool
) -> Iterable[bytes]:
    """Send an asset, gzipped when the client takes it; 304 when it already has this version."""
    headers = [("Cache-Control", IMMUTABLE), ("ETag", asset.etag), ("Vary", "Accept-Encoding")]
    if asset.etag in environ.get("HTTP_IF_NONE_MATCH", ""):
        start_response("304 Not Modified", headers)
        return [b""]
    body = asset.body
    if asset.gzipped is not None and accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", "")):
        body = asset.gzipped
        headers.append(("Content-Encoding", "gzip"))
    headers += [
        ("Content-Type", asset.content_type),
        ("Content-Length", str(len(body))),
        ("Content-Security-Policy", OTHER_POLICY),
        *HEADERS.items(),
    ]
    start_response("200 OK", headers)
    return [b""] if head else [body]
