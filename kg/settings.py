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
    base: str | None = setting(
        None,
        "KG_BASE",
        "Base IRI for relative IRIs in the --data files; each file's own file: IRI when unset.",
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
        4,
        "KG_MAX_CONCURRENT_QUERIES",
        "Queries evaluated at once per HTTP worker; more wait in line within their deadline.",
    )
    max_queued_queries: int = setting(
        64,
        "KG_MAX_QUEUED_QUERIES",
        "Queries that may wait for a query slot at once per HTTP worker; beyond, 503 with "
        "Retry-After.",
    )
    client_share: float = setting(
        0.5,
        "KG_CLIENT_SHARE",
        "Share of the query slots one client (an address, or the write token) may hold; "
        "beyond it, 429 with Retry-After.",
    )
    query_memory_mb: int = setting(
        384,
        "KG_QUERY_MEMORY_MB",
        "Memory budget of each query process (MiB); a query over it gets 507 and is stopped.",
    )
    header_timeout: float = setting(
        10.0, "KG_HEADER_TIMEOUT", "Seconds a client has to send a request's line and headers."
    )
    body_timeout: float = setting(
        60.0, "KG_BODY_TIMEOUT", "Seconds a client has to send a request's whole body."
    )
    max_connections: int = setting(
        1024, "KG_MAX_CONNECTIONS", "Open connections per HTTP worker process."
    )
    max_connections_per_client: int = setting(
        64, "KG_MAX_CONNECTIONS_PER_CLIENT", "Open connections one client address may hold."
    )
    max_body_bytes: int = setting(
        10 * 1024 * 1024, "KG_MAX_BODY_BYTES", "Largest request body accepted (bytes)."
    )
    max_query_length: int = setting(
        100_000,
        "KG_MAX_QUERY_LENGTH",
        "Longest query or update text accepted (bytes of UTF-8, counted before any parsing).",
    )
    result_row_cap: int = setting(
        1_000_000,
        "KG_RESULT_ROW_CAP",
        "Most solutions a query returns; a capped result says so in the KG-Row-Cap header.",
    )
    response_cache_mb: int = setting(
        64,
        "KG_RESPONSE_CACHE_MB",
        "Memory for repeated GET answers, keyed on the store version (0, or --store-url: off).",
    )
    write_token: str | None = setting(
        None,
        "KG_WRITE_TOKEN",
        "Bearer token that enables SPARQL Update and Graph Store writes (prefer the environment "
        "variable or --write-token-file: a command line is visible to every local user).",
    )
    write_token_file: Path | None = setting(
        None, "KG_WRITE_TOKEN_FILE", "File holding the write token (its first line)."
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
    live_service_clauses: int = setting(
        10,
        "KG_LIVE_SERVICE_CLAUSES",
        "Most distinct Wikidata SERVICE clauses one query may have answered live.",
    )
    live_service_bytes: int = setting(
        10 * 1024 * 1024,
        "KG_LIVE_SERVICE_BYTES",
        "Largest answer (bytes) a live Wikidata SERVICE clause may bring back.",
    )
    live_service_rows: int = setting(
        10_000,
        "KG_LIVE_SERVICE_ROWS",
        "Most rows a live Wikidata SERVICE clause may put into the query.",
    )
    live_answer_max_age: int = setting(
        60,
        "KG_LIVE_ANSWER_MAX_AGE",
        "Seconds an answer that called Wikidata live may be served again from the response cache.",
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
    explicit_union: bool = setting(
        False,
        "KG_EXPLICIT_UNION",
        "With --store-url: name every graph in each query's dataset, for a store whose default "
        "graph is not the union of its named graphs.",
    )
    store_auth: str | None = setting(
        None,
        "KG_STORE_AUTH",
        "Credentials for the remote store: 'user:password' (Basic), 'Digest user:password' "
        "or 'Bearer TOKEN'.",
    )

    def replace(self, **changes: Any) -> Settings:
        """Return a copy with some settings changed."""
        return dataclasses.replace(self, **changes)


DEFAULTS = Settings()
"""The defaults, for the parts built outside ``kg serve`` (tests, tools) to take theirs from."""


def setting_fields() -> tuple[dataclasses.Field[Any], ...]:
    """List the settings with their metadata, in declaration order."""
    return dataclasses.fields(Settings)
