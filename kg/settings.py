"""Server settings: one table of names, defaults, environment variables and help texts.

The CLI builds its ``kg serve`` options from this table, so ``--help``, the environment variables
and the README's production section cannot drift apart (a test compares them).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


def setting(default: Any, env: str, help: str, **extra: Any) -> Any:
    """Declare one setting with its environment variable and help text."""
    return field(default=default, metadata={"env": env, "help": help, **extra})


@dataclass(frozen=True)
class Settings:
    """Everything the server can be told; defaults are the safe, public-facing choice."""

    host: str = setting("127.0.0.1", "KG_HOST", "Address to listen on.")
    port: int = setting(8000, "KG_PORT", "Port to listen on.")
    store: Path | None = setting(
        None,
        "KG_STORE",
        "On-disk store directory, built once and reopened; in memory when unset.",
    )
    data: tuple[Path, ...] = setting(
        (),
        "KG_DATA",
        "Extra RDF files to serve (Turtle, TriG, N-Triples, N-Quads, JSON-LD, RDF/XML).",
    )
    examples: Path | None = setting(
        None,
        "KG_EXAMPLES",
        "Folder of example queries (*.rq) for the query page; the shipped queries/ when unset.",
    )
    releases: Path = setting(
        Path("releases"),
        "KG_RELEASES",
        "Folder of releases (written by `kg release`) served read-only under /release/.",
    )
    no_article: bool = setting(False, "KG_NO_ARTICLE", "Serve only --data, not the article graph.")
    workers: int = setting(1, "KG_WORKERS", "HTTP worker processes (more than 1 needs --store).")
    query_timeout: float = setting(
        30.0, "KG_QUERY_TIMEOUT", "Deadline in seconds for every query; clients may ask for less."
    )
    max_concurrent_queries: int = setting(
        4, "KG_MAX_CONCURRENT_QUERIES", "Queries evaluated at once; more get 503 with Retry-After."
    )
    max_body_bytes: int = setting(
        10 * 1024 * 1024, "KG_MAX_BODY_BYTES", "Largest request body accepted (bytes)."
    )
    max_query_length: int = setting(
        100_000, "KG_MAX_QUERY_LENGTH", "Longest query or update text accepted (characters)."
    )
    result_row_cap: int = setting(
        1_000_000,
        "KG_RESULT_ROW_CAP",
        "Most solutions a query returns; a capped result says so in the KG-Row-Cap header.",
    )
    response_cache_mb: int = setting(
        64,
        "KG_RESPONSE_CACHE_MB",
        "Memory for repeated GET answers, keyed on the store version (0 turns it off).",
    )
    write_token: str | None = setting(
        None, "KG_WRITE_TOKEN", "Bearer token that enables SPARQL Update and Graph Store writes."
    )
    wikidata_mode: str = setting(
        "pinned",
        "KG_WIKIDATA_MODE",
        "Answer SERVICE <https://query.wikidata.org/sparql> from the pinned extract or live.",
        choices=("pinned", "live"),
    )
    wikidata_endpoint: str = setting(
        "https://query.wikidata.org/sparql",
        "KG_WIKIDATA_ENDPOINT",
        "Wikidata SPARQL endpoint used in live mode and by `kg wikidata`.",
    )
    wikidata_timeout: float = setting(
        20.0, "KG_WIKIDATA_TIMEOUT", "Seconds to wait for the live Wikidata endpoint."
    )
    user_agent_contact: str = setting(
        "https://github.com/peru-ecuador-kg/peru-ecuador-kg/issues",
        "KG_USER_AGENT_CONTACT",
        "Contact (URL or e-mail) sent in the User-Agent to Wikidata.",
    )
    service_allow: tuple[str, ...] = setting(
        (),
        "KG_SERVICE_ALLOW",
        "Extra SERVICE/LOAD endpoints allowed (space-separated IRIs); none by default.",
    )
    store_url: str | None = setting(
        None, "KG_STORE_URL", "Front a remote SPARQL 1.1 store at this query URL."
    )
    update_url: str | None = setting(
        None, "KG_UPDATE_URL", "Update URL of the remote store (defaults to --store-url)."
    )
    store_auth: str | None = setting(
        None,
        "KG_STORE_AUTH",
        "Credentials for the remote store: 'user:password' or 'Bearer TOKEN'.",
    )

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some settings changed."""
        return dataclasses.replace(self, **changes)


def setting_fields() -> tuple[dataclasses.Field[Any], ...]:
    """List the settings with their metadata, in declaration order."""
    return dataclasses.fields(Settings)
