"""Reduce the measurements of several rounds to medians, ratios and a markdown table."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

Record = dict[str, Any]


def median(values: Iterable[float | None]) -> float | None:
    """Return the median of the known values, None when there are none."""
    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """Return numerator / denominator, None when either is unknown or the denominator is 0."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def medians(records: Sequence[Record], keys: Sequence[str], fields: Sequence[str]) -> list[Record]:
    """Group records by keys and take the median of each field over the group (the rounds)."""
    groups: dict[tuple[Any, ...], list[Record]] = defaultdict(list)
    for record in records:
        groups[tuple(record[k] for k in keys)].append(record)
    merged = []
    for key, group in groups.items():
        row: Record = dict(zip(keys, key, strict=True))
        row.update({f: median(r.get(f) for r in group) for f in fields})
        row["rounds"] = len(group)
        merged.append(row)
    return merged


LOAD_FIELDS = ("rps", "p50_ms", "p90_ms", "p99_ms", "errors", "non2xx", "requests", "single_s")
SERVER_FIELDS = ("load_s", "ready_s", "idle_rss_mib", "peak_rss_mib", "peak_pss_mib")
OVERHEAD_FIELDS = ("raw_p50_ms", "kg_p50_ms", "overhead_ms")
STREAM_FIELDS = ("ttfb_ms", "headers_ms", "total_s", "mb", "growth_rss_mib")


def summarize(measured: dict[str, list[Record]]) -> dict[str, list[Record]]:
    """Take the medians over rounds of every kind of measurement."""
    return {
        "load": medians(measured["load"], ("scale", "server", "shape", "connections"), LOAD_FIELDS),
        "servers": medians(measured["servers"], ("scale", "server"), SERVER_FIELDS),
        "stream": medians(measured["stream"], ("scale", "server"), STREAM_FIELDS),
        "overhead": medians(measured["overhead"], ("scale",), OVERHEAD_FIELDS),
    }


def rate(value: float | None) -> str:
    """Format requests per second: whole numbers, one decimal below 10."""
    return fmt(value, 1 if value is not None and value < 10 else 0)


def get(row: Record | None, name: str) -> Any:
    """Return a field of a row that may be missing (not measured)."""
    return None if row is None else row.get(name)


def throughput(row: Record | None) -> float | None:
    """Return a load row's requests per second, or None when it was not measured."""
    rps: float | None = get(row, "rps")
    return rps


def versus_slow(rps: float | None, slow: Record | None) -> str:
    """Compare with a server that may finish no request within a run, using one request's time.

    A server that completed nothing in the run is credited with 1 / (the time one request took
    alone), an upper bound for a server that evaluates one query at a time; the ratio is marked ≈.
    """
    measured = ratio(rps, throughput(slow))
    single = get(slow, "single_s")
    if measured is not None or not single:
        return fmt_ratio(measured)
    estimate = ratio(rps, 1 / single)
    return "–" if estimate is None else f"≈{estimate:.2f}×"


def fmt(value: float | None, digits: int = 1) -> str:
    """Format a figure for the table, a dash when unknown."""
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def fmt_ratio(value: float | None) -> str:
    """Format a ratio with two decimals and a multiplication sign."""
    return "–" if value is None else f"{value:.2f}×"


def index(rows: Iterable[Record], *keys: str) -> dict[tuple[Any, ...], Record]:
    """Key rows by some of their fields."""
    return {tuple(row[k] for k in keys): row for row in rows}


def load_table(summary: dict[str, list[Record]], scale: int, servers: Sequence[str]) -> list[str]:
    """Render throughput, p99 and the ratios of the first server to oxigraph and rdflib."""
    rows = index(summary["load"], "scale", "server", "shape", "connections")
    main = servers[0]
    head = ["shape", "conns"]
    for name in servers:
        head += [f"{name} req/s", f"{name} p99 ms"]
    head += [f"{main}/oxigraph req/s", f"{main}/oxigraph p99", f"{main}/rdflib req/s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    cases = sorted({(r["shape"], r["connections"]) for r in summary["load"] if r["scale"] == scale},
                   key=lambda c: (SHAPE_ORDER.get(c[0], 99), c[1]))  # fmt: skip
    for shape, conns in cases:
        cells = [shape, str(conns)]
        got = {name: rows.get((scale, name, shape, conns)) for name in servers}
        for name in servers:
            row = got[name]
            mark = " ⚠" if row and row.get("non2xx") else ""
            cells += [rate(throughput(row)) + mark, fmt(get(row, "p99_ms"), 2)]
        ox, rd = got.get("oxigraph"), got.get("rdflib")
        cells += [
            fmt_ratio(ratio(throughput(got[main]), throughput(ox))),
            fmt_ratio(ratio(get(got[main], "p99_ms"), get(ox, "p99_ms"))),
            versus_slow(throughput(got[main]), rd),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


SHAPE_ORDER = {"point": 0, "join2": 1, "range": 2, "group": 3, "construct": 4, "rows50k": 5}


def server_table(summary: dict[str, list[Record]], scale: int, servers: Sequence[str]) -> list[str]:
    """Render load time and memory per server."""
    rows = index(summary["servers"], "scale", "server")
    streams = index(summary["stream"], "scale", "server")
    lines = [
        "| server | load s | file → first answer s | idle RSS MiB | peak RSS MiB | peak PSS MiB "
        "| 500k rows: first byte ms | total s | MB | RSS growth MiB |",
        "|" + "---|" * 10,
    ]
    for name in servers:
        row, st = rows.get((scale, name)), streams.get((scale, name))
        if row is None:
            continue
        lines.append(
            f"| {name} | {fmt(row['load_s'], 2)} | {fmt(row['ready_s'], 2)} "
            f"| {fmt(row['idle_rss_mib'], 0)} | {fmt(row['peak_rss_mib'], 0)} "
            f"| {fmt(row['peak_pss_mib'], 0)} | {fmt(get(st, 'ttfb_ms'), 1)} "
            f"| {fmt(get(st, 'total_s'), 2)} | {fmt(get(st, 'mb'), 0)} "
            f"| {fmt(get(st, 'growth_rss_mib'), 0)} |"
        )
    return lines


def overhead_line(summary: dict[str, list[Record]], scale: int) -> list[str]:
    """Render what kg's query path (policy, deadline, workers) adds to a point lookup."""
    row = index(summary.get("overhead", []), "scale").get((scale,))
    if row is None or row.get("overhead_ms") is None:
        return []
    return [
        f"Point lookup without HTTP, median: bare pyoxigraph {fmt(row['raw_p50_ms'], 3)} ms, "
        f"through kg's query path {fmt(row['kg_p50_ms'], 3)} ms: "
        f"**+{fmt(row['overhead_ms'], 3)} ms** for policy, deadline and execution.",
        "",
    ]


def markdown(result: dict[str, Any]) -> str:
    """Render a whole result file as markdown: the machine, then one section per scale."""
    meta, summary = result["meta"], result["summary"]
    servers = meta["servers"]
    out = [
        f"# Benchmark ({meta['mode']} mode), {meta['date']}",
        "",
        f"Machine: {meta['machine']}. Load average at start {meta['loadavg_start']}, "
        f"at end {meta['loadavg_end']}.",
        f"Versions: {meta['versions']}. Commit {meta['commit']}.",
        f"wrk: {meta['seconds']:g} s per run (up to 3× for slow queries), 1 thread; "
        f"{meta['rounds']} round(s), medians. "
        "⚠ marks runs with non-2xx responses.",
        "",
    ]
    for scale in meta["scales"]:
        out += [f"## {scale:,} triples", ""]
        out += [*load_table(summary, scale, servers), ""]
        out += [*server_table(summary, scale, servers), ""]
        out += overhead_line(summary, scale)
    out += [f"- {note}" for note in meta.get("notes", [])]
    return "\n".join(out).rstrip() + "\n"
