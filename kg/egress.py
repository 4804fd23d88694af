"""Which endpoints a SERVICE clause or a LOAD may name: Wikidata, the allow-list, nothing else.

Endpoints are compared after normalisation (RFC 3986 section 6.2.2 and 6.2.3): scheme and host in
lower case, a trailing dot of the host and the scheme's default port dropped, percent-encoded
unreserved characters decoded, dot segments removed, trailing slashes of the path ignored and the
fragment dropped. The user name, the rest of the path and the query string must match exactly.

>>> normalise_endpoint('HTTPS://Query.Wikidata.org.:443/./sp%61rql/#x')
'https://query.wikidata.org/sparql'
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urlsplit, urlunsplit

from kg.errors import Forbidden
from kg.settings import Settings
from kg.vocab import WIKIBASE

WIKIDATA_ENDPOINTS = (
    "https://query.wikidata.org/sparql",
    "https://query.wikidata.org/bigdata/namespace/wdq/sparql",
)
"""The Wikidata Query Service's SPARQL endpoint under its two documented paths."""

WIKIBASE_LABEL_SERVICE = WIKIBASE + "label"

_DEFAULT_PORTS = {"http": 80, "https": 443}
_UNRESERVED = re.compile(r"%(2[DdEe]|3[0-9]|[46][1-9A-Fa-f]|[57][0-9Aa]|5[Ff]|7[Ee])")


def _decode_unreserved(text: str) -> str:
    """Decode the percent-encodings of unreserved characters, which name the same resource."""
    return _UNRESERVED.sub(lambda m: chr(int(m.group(1), 16)), text)


def normalise_endpoint(iri: str) -> str:
    """Return the form of an endpoint IRI used to compare it with another."""
    try:
        parts = urlsplit(iri.strip())
        port = parts.port
    except ValueError:
        return iri
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return iri
    host = parts.hostname.rstrip(".")
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    if "@" in parts.netloc:
        host = parts.netloc.rpartition("@")[0] + "@" + host
    path = posixpath.normpath(_decode_unreserved(parts.path) or "/")
    path = "" if path in ("/", "//", ".") else path.rstrip("/")
    return urlunsplit((scheme, host, path, _decode_unreserved(parts.query), ""))


def _wikidata_form(iri: str) -> str:
    """Normalise an endpoint and treat http:// and https:// as one (WDQS redirects to https)."""
    normal = normalise_endpoint(iri)
    return "https" + normal[4:] if normal.startswith("http:") else normal


def describe_host(iri: str) -> str | None:
    """Say why an endpoint's host is sensitive (loopback, private, link-local), or None."""
    try:
        host = (urlsplit(iri).hostname or "").rstrip(".")
    except ValueError:
        return None
    if host == "localhost" or host.endswith(".localhost"):
        return f"{host} is a loopback name"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    for attribute, kind in (
        ("is_loopback", "a loopback"),
        ("is_link_local", "a link-local"),
        ("is_private", "a private"),
        ("is_unspecified", "an unspecified"),
        ("is_reserved", "a reserved"),
        ("is_multicast", "a multicast"),
    ):
        if getattr(address, attribute):
            return f"{host} is {kind} address"
    return None


class Target(Enum):
    """What a named endpoint is to this server."""

    WIKIDATA = "wikidata"
    ALLOWED = "allowed"


@dataclass(frozen=True)
class EgressRules:
    """The endpoints a request may name, from the settings."""

    settings: Settings

    def is_wikidata(self, iri: str) -> bool:
        """Tell whether an IRI names Wikidata's SPARQL endpoint (or the configured stand-in)."""
        known = (*WIKIDATA_ENDPOINTS, self.settings.wikidata_endpoint)
        return _wikidata_form(iri) in {_wikidata_form(endpoint) for endpoint in known}

    def is_allowed(self, iri: str) -> bool:
        """Tell whether an administrator allow-listed this endpoint."""
        listed = {normalise_endpoint(allowed) for allowed in self.settings.service_allow}
        return normalise_endpoint(iri) in listed

    def classify_service(self, target: str | None) -> Target:
        """Return how a SERVICE target is answered, or refuse it with Forbidden."""
        if target is None:
            raise Forbidden(
                "SERVICE with a variable as its endpoint is refused: this server only calls "
                "endpoints it can check before the query runs. Name the endpoint as an IRI."
            )
        if self.is_wikidata(target):
            return Target.WIKIDATA
        if self.is_allowed(target):
            return Target.ALLOWED
        if target == WIKIBASE_LABEL_SERVICE:
            raise Forbidden(
                "SERVICE wikibase:label is a feature of the Wikidata Query Service and is only "
                "available inside SERVICE <https://query.wikidata.org/sparql> in live mode; "
                'ask for rdfs:label with FILTER(LANG(?label) = "en") instead.'
            )
        raise Forbidden(self._refusal("SERVICE", target))

    def check_load(self, source: str) -> None:
        """Refuse a LOAD source that is not allow-listed."""
        if not self.is_allowed(source):
            raise Forbidden(self._refusal("LOAD", source))

    def _refusal(self, what: str, iri: str) -> str:
        """Explain why an endpoint is refused and how an administrator would allow it."""
        reason = describe_host(iri)
        because = f" ({reason})" if reason else ""
        return (
            f"{what} <{iri}> is refused{because}: this server only reaches Wikidata "
            f"(<{WIKIDATA_ENDPOINTS[0]}>, answered in {self.settings.wikidata_mode} mode) and the "
            "endpoints an administrator lists in KG_SERVICE_ALLOW; nothing was contacted."
        )
