"""What makes pages safe to open: response headers, and which IRIs may become links.

Every response says ``nosniff`` and a referrer policy and may not be framed. HTML gets a
Content-Security-Policy that the pages and the vendored editor satisfy (scripts, styles, fonts
and requests from this server only); everything else gets one that lets nothing run at all.
"""

from __future__ import annotations

import re

from flask import Flask, Response

YASGUI_GRIP_STYLE = "sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk="
HTML_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # The one <style> element YASGUI's column resizer writes, allowed by its hash.
        f"style-src 'self' '{YASGUI_GRIP_STYLE}'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}

SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
IGNORED_BY_BROWSERS = re.compile(r"[\t\n\r]")
TRIMMED_BY_BROWSERS = "".join(map(chr, range(0x21)))
LINKABLE_SCHEMES = frozenset({"http", "https"})


def linkable(iri: str) -> bool:
    r"""Tell whether an IRI may be the target of a link: http, https or relative, nothing else.

    Browsers drop tabs and newlines anywhere in a URL and control characters and spaces at its
    ends before they read the scheme, so ``java\\tscript:`` is checked as they would see it.
    """
    seen = IGNORED_BY_BROWSERS.sub("", iri).strip(TRIMMED_BY_BROWSERS)
    scheme = SCHEME.match(seen)
    if scheme is None:
        return ":" not in seen.split("/", 1)[0]
    return scheme.group(1).lower() in LINKABLE_SCHEMES


def add_headers(response: Response) -> Response:
    """Add the safety headers to a response (an after_request hook)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    policy = HTML_POLICY if response.mimetype == "text/html" else OTHER_POLICY
    response.headers.setdefault("Content-Security-Policy", policy)
    return response


def install(app: Flask) -> None:
    """Send the safety headers on every response; let templates ask what may be a link."""
    app.after_request(add_headers)
    app.jinja_env.globals["linkable"] = linkable
