"""What kg's query path adds to a point lookup, without HTTP: pipeline + execution vs raw engine.

Run as ``python -m bench.overhead DATA REPEATS SECONDS``; prints one JSON line. It loads the data
twice in memory: once behind ``open_services`` (policy, deadline, worker processes: whatever
``kg serve`` uses) and once in a bare pyoxigraph Store, then alternates the same query on both.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pyoxigraph import QueryResultsFormat, QuerySolutions, Store

from bench.shapes import SOLUTIONS, by_name
from kg.cli.runtime import open_services
from kg.settings import Settings


def timed_ms(action: Callable[[], bytes]) -> float:
    """Run an action once and return its wall time in milliseconds."""
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def measure(data: Path, repeats: int, seconds: float) -> dict[str, float | int]:
    """Alternate the point lookup on kg's query path and on a bare store; return the medians."""
    query = by_name("point")[0].query
    services = open_services(Settings(no_article=True, data=(data,)))
    store = Store()
    store.bulk_load(path=str(data))

    def raw() -> bytes:
        result = store.query(query)
        assert isinstance(result, QuerySolutions)
        return result.serialize(format=QueryResultsFormat.JSON) or b""

    def kg() -> bytes:
        return services.run_query(query, lambda form: SOLUTIONS).read_all()

    try:
        if raw() != kg():
            raise RuntimeError("kg and the bare store answer the point lookup differently")
        raw_ms: list[float] = []
        kg_ms: list[float] = []
        deadline = time.monotonic() + seconds
        while len(raw_ms) < repeats and time.monotonic() < deadline:
            raw_ms.append(timed_ms(raw))
            kg_ms.append(timed_ms(kg))
    finally:
        services.backend.close()
    raw_p50, kg_p50 = statistics.median(raw_ms), statistics.median(kg_ms)
    return {
        "repeats": len(raw_ms),
        "raw_p50_ms": raw_p50,
        "kg_p50_ms": kg_p50,
        "overhead_ms": kg_p50 - raw_p50,
    }


if __name__ == "__main__":
    path, count, limit = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    print(json.dumps(measure(path, count, limit)))
