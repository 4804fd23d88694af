"""The HTTP client for Wikidata's SPARQL endpoint (or a stand-in configured in its place).

Wikimedia asks every client for a descriptive User-Agent with a way to reach its operator
(https://meta.wikimedia.org/wiki/User-Agent_policy) and answers 429 with Retry-After when a
client asks too much; both are honoured here, and every failure becomes a KgError.
"""

from __future__ import annotations

import email.utils
import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from kg import __version__
from kg.errors import BadGateway, DeadlineExceeded, KgError, TooManyRequests
from kg.settings import Settings

RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
CHUNK_BYTES = 64 * 1024


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


def pooled_session(connections: int) -> requests.Session:
    """Return a session that keeps up to that many connections per host open for reuse."""
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=1, pool_maxsize=connections)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


@dataclass
class WikidataClient:
    """Send SPARQL queries to one endpoint with the project's User-Agent and timeout."""

    endpoint: str
    contact: str
    timeout: float
    session: requests.Session = field(default_factory=requests.Session)

    @classmethod
    def from_settings(cls, settings: Settings, *, connections: int = 1) -> WikidataClient:
        """Build the client the settings describe, with a pool of that many connections."""
        return cls(
            settings.wikidata_endpoint,
            settings.user_agent_contact,
            settings.wikidata_timeout,
            pooled_session(connections),
        )

    def select(self, query: str) -> dict[str, Any]:
        """Run a SELECT or ASK query and return the parsed SPARQL JSON results."""
        return self._results(self._post(query, RESULTS_JSON).content)

    def select_bounded(self, query: str, max_bytes: int, stop: threading.Event) -> dict[str, Any]:
        """Run a SELECT, reading at most max_bytes of answer and giving up once stop is set."""
        response = self._post(query, RESULTS_JSON, stream=True)
        try:
            declared = int(response.headers.get("Content-Length") or 0)
            if declared > max_bytes:
                raise self._too_large(max_bytes)
            body = bytearray()
            for chunk in response.iter_content(CHUNK_BYTES):
                if stop.is_set():
                    raise DeadlineExceeded("the query's deadline passed while Wikidata answered")
                body += chunk
                if len(body) > max_bytes:
                    raise self._too_large(max_bytes)
        except requests.Timeout:
            raise self._timed_out() from None
        except requests.RequestException as error:
            raise BadGateway(
                f"the Wikidata endpoint {self.endpoint} broke off its answer: {error}"
            ) from None
        finally:
            response.close()
        return self._results(bytes(body))

    def construct(self, query: str) -> bytes:
        """Run a CONSTRUCT query and return its triples as N-Triples."""
        return self._post(query, N_TRIPLES).content

    def close(self) -> None:
        """Close the connections the client keeps open."""
        self.session.close()

    def _results(self, body: bytes) -> dict[str, Any]:
        """Parse SPARQL JSON results, refusing anything else."""
        try:
            parsed = json.loads(body)
        except ValueError as error:
            raise BadGateway(
                f"the Wikidata endpoint {self.endpoint} sent results that are not JSON: {error}"
            ) from None
        if not isinstance(parsed, dict) or not isinstance(parsed.get("head"), dict):
            raise BadGateway(f"the Wikidata endpoint {self.endpoint} sent malformed results")
        return parsed

    def _too_large(self, max_bytes: int) -> KgError:
        """Explain an answer larger than the live limit."""
        return BadGateway(
            f"the Wikidata endpoint {self.endpoint} answered a SERVICE clause with more than "
            f"{max_bytes} bytes (KG_LIVE_SERVICE_BYTES); make the pattern inside it more selective"
        )

    def _timed_out(self) -> KgError:
        """Explain an endpoint slower than the configured wait."""
        return DeadlineExceeded(
            f"the Wikidata endpoint {self.endpoint} did not answer within {self.timeout:g} s "
            "(KG_WIKIDATA_TIMEOUT); try again later or use pinned mode"
        )

    def _post(self, query: str, accept: str, *, stream: bool = False) -> requests.Response:
        """Send one query by POST and turn every failure into a KgError."""
        headers = {"User-Agent": user_agent(self.contact), "Accept": accept}
        try:
            response = self.session.post(
                self.endpoint,
                data={"query": query},
                headers=headers,
                timeout=self.timeout,
                stream=stream,
            )
        except requests.Timeout:
            raise self._timed_out() from None
        except requests.RequestException as error:
            raise BadGateway(
                f"the Wikidata endpoint {self.endpoint} could not be reached: {error}"
            ) from None
        if response.status_code == 429:
            response.close()
            raise self._too_many(response)
        if response.status_code != 200:
            detail = next(response.iter_content(300), b"").decode("utf-8", "replace").strip()
            response.close()
            raise BadGateway(
                f"the Wikidata endpoint {self.endpoint} answered HTTP {response.status_code}: "
                f"{detail}"
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
