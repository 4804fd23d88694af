"""Time the preparation of hostile texts: ``python -m bench.lexer [SIZE...]``.

For each adversarial body (runs the old lexer rescanned, deep nesting, many SERVICE clauses) at
each size, print how long ``kg.sparql_text.tokenize`` and the whole preparation take, and how many
times a GET query is tokenised on its way through the endpoint.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Callable

from pyoxigraph import Store

from kg import sparql_text
from kg.errors import KgError
from kg.execution.embedded import EmbeddedBackend
from kg.prepare import Preparer
from kg.settings import Settings
from kg.web import create_app

BODIES: dict[str, Callable[[int], str]] = {
    "a-a-a-": lambda size: ("a-" * size)[:size],
    "a.a.a.": lambda size: ("a." * size)[:size],
    "ex:a-": lambda size: "SELECT * { ?s ?p " + ("ex:a-" * size)[:size] + " }",
    "{{{": lambda size: "SELECT * WHERE " + "{" * (size // 2) + "}" * (size // 2),
    "SERVICE": lambda size: (
        "SELECT * { "
        + "SERVICE <https://query.wikidata.org/sparql> { ?s ?p ?o } " * (size // 56)
        + "}"
    ),
}


def timed(action: Callable[[], object]) -> float:
    """Return the seconds an action takes (refusals included)."""
    started = time.perf_counter()
    with contextlib.suppress(KgError):
        action()
    return time.perf_counter() - started


def tokenisations_per_get() -> int:
    """Count the calls to the lexer while the endpoint answers one GET query."""
    calls: list[str] = []
    original = sparql_text.tokenize

    def counting(text: str) -> list[sparql_text.Token]:
        calls.append(text)
        return original(text)

    sparql_text.tokenize = counting
    backend = EmbeddedBackend(Store(), query_processes=1)
    try:
        client = create_app(backend, Settings(response_cache_mb=0)).test_client()
        client.get("/sparql", query_string={"query": "SELECT * { <x> ?p ?o }"}).close()
    finally:
        sparql_text.tokenize = original
        backend.close()
    return len(calls)


def main(sizes: list[int]) -> None:
    """Print the table."""
    preparer = Preparer(Settings(max_query_length=max(sizes)))
    print("body      size        tokenize s   prepare s")
    for name, make in BODIES.items():
        for size in sizes:
            text = make(size)
            lexed = timed(lambda text=text: sparql_text.tokenize(text))
            prepared = timed(lambda text=text: preparer.query(text))
            print(f"{name:<9} {len(text):>10,}  {lexed:>10.3f}  {prepared:>10.3f}")
    print(f"tokenisations per GET query: {tokenisations_per_get()}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [10_000, 100_000, 1_000_000])
