"""README "Running in production" lists every limit kg serve has, with its flag and variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.settings import setting_fields

README = Path(__file__).resolve().parent.parent / "README.md"
LIMITS = (
    "query_timeout",
    "query_memory_mb",
    "max_concurrent_queries",
    "max_queued_queries",
    "client_share",
    "header_timeout",
    "body_timeout",
    "max_body_bytes",
    "max_query_length",
    "max_connections_per_client",
    "max_connections",
    "result_row_cap",
    "response_cache_mb",
    "write_token",
    "write_token_file",
    "service_allow",
    "workers",
    "store",
)


def production_section() -> str:
    """Return the README's production section."""
    text = README.read_text(encoding="utf-8")
    start = text.index("## Running in production")
    return text[start : text.index("\n## ", start + 1) if "\n## " in text[start + 1 :] else None]


@pytest.mark.parametrize("name", LIMITS)
def test_every_limit_is_documented_with_its_flag_and_variable(name: str) -> None:
    [field] = [f for f in setting_fields() if f.name == name]
    section = production_section()
    assert f"`--{name.replace('_', '-')} " in section
    assert f"`{field.metadata['env']}`" in section
