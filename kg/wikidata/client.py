"""The HTTP client for Wikidata's SPARQL endpoint (or a stand-in configured in its place).

Wikimedia asks every client for a descriptive User-Agent with a way to reach its operator
(https://meta.wikimedia.org/wiki/User-Agent_policy) and answers 429 with Retry-After when a
client asks too much; both are honoured here, and every failure becomes a KgError.
"""

from __future__ import annotations

import email.utils
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

from kg import __version__
from kg.errors import BadGateway, DeadlineExceeded, KgError, TooManyRequests
from kg.settings import Settings

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


def user_agent(contact: str) -> str:
    """Return the User-Agent sent to Wikidata: project, version, contact, library."""
    return f"peru-ecuador-kg/{__version__} ({contact}) python-requests/{requests.__version__}"


def retry_after_seconds(value: str | None) -> int | None:
    """Read a Retry-After header given as seconds or as an HTTP date.

    >>> retry_after_seconds('120')
    120
    >>> retry_after_seconds('soon') is None
    True
    """
    if not value:
        return None
    if value.strip().isdigit():
        return int(value.strip())
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, int((when - datetime.now(UTC)).total_seconds()))


@dataclass
class WikidataClient:
    """Send SPARQL queries to one endpoint with the project's User-Agent and timeout."""

    endpoint: str
    contact: str
    timeout: float
    session: requests.Session = field(default_factory=requests.Session)

    @classmethod
    def from_settings(cls, settings: Settings) -> WikidataClient:
        """Build the client the settings describe."""
        return cls(
            settings.wikidata_endpoint, settings.user_agent_contact, settings.wikidata_timeout
        )

    def select(self, query: str) -> dict[str, Any]:
        """Run a SELECT or ASK query and return the parsed SPARQL JSON results."""
        response = self._post(query, RESULTS_JSON)
        try:
            parsed = json.loads(response.content)
        except ValueError as error:
            raise BadGateway(
                f"the Wikidata endpoint {self.endpoint} sent results that are not JSON: {error}"
            ) from None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("head"), dict):
            raise BadGateway(f"the Wikidata endpoint {self.endpoint} sent malformed results")
        return parsed

    def construct(self, query: str) -> bytes:
        """Run a CONSTRUCT query and return its triples as N-Triples."""
        return self._post(query, N_TRIPLES).content

    def _post(self, query: str, accept: str) -> requests.Response:
        """Send one query by POST and turn every failure into a KgError."""
        headers = {"User-Agent": user_agent(self.contact), "Accept": accept}
        try:
            response = self.session.post(
                self.endpoint, data={"query": query}, headers=headers, timeout=self.timeout
            )
        except requests.Timeout:
            raise DeadlineExceeded(
                f"the Wikidata endpoint {self.endpoint} did not answer within {self.timeout:g} s "
                "(KG_WIKIDATA_TIMEOUT); try again later or use pinned mode"
            ) from None
        except requests.RequestException as error:
            raise BadGateway(
                f"the Wikidata endpoint {self.endpoint} could not be reached: {error}"
            ) from None
        if response.status_code == 429:
            raise self._too_many(response)
        if response.status_code != 200:
            raise BadGateway(
                f"the Wikidata endpoint {self.endpoint} answered HTTP {response.status_code}: "
                f"{response.text[:300].strip()}"
            )
        return response

    def _too_many(self, response: requests.Response) -> KgError:
        """Explain a 429 from Wikidata and pass its Retry-After on to our client."""
        seconds = retry_after_seconds(response.headers.get("Retry-After"))
        wait = f"retry after {seconds} s" if seconds is not None else "retry later"
        return TooManyRequests(
            f"Wikidata ({self.endpoint}) is rate-limiting this server (HTTP 429); {wait}, "
            "or use pinned mode, which answers from the extract without calling Wikidata",
            headers={"Retry-After": str(seconds)} if seconds is not None else None,
        )
