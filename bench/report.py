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


LOAD_FIELDS = (
    "rps", "p50_ms", "p90_ms", "p99_ms", "errors", "non2xx", "requests", "single_s", "cpu_ms",
)  # fmt: skip
SERVER_FIELDS = (
    "load_s", "ready_s", "idle_rss_mib", "peak_rss_mib", "idle_pss_mib", "peak_pss_mib",
)  # fmt: skip
OVERHEAD_FIELDS = ("raw_p50_ms", "kg_p50_ms", "overhead_ms")
STREAM_FIELDS = ("ttfb_ms", "headers_ms", "total_s", "mb", "growth_rss_mib")
RUNAWAY_FIELDS = ("answered_s", "deadline_s", "cpu_after_s_per_s")
BARE_FIELDS = ("idle_rss_mib", "idle_pss_mib")


def summarize(measured: dict[str, list[Record]]) -> dict[str, list[Record]]:
    """Take the medians over rounds of every kind of measurement."""
    load = [{"uncached": True, **record} for record in measured["load"]]
    runaway = medians(measured.get("runaway", []), ("scale", "server"), RUNAWAY_FIELDS)
    for row in runaway:
        statuses = {r["status"] for r in measured["runaway"] if r["scale"] == row["scale"]}
        row["statuses"] = sorted(statuses, key=str)
    return {
        "load": medians(load, ("scale", "server", "shape", "connections", "uncached"), LOAD_FIELDS),
        "servers": medians(measured["servers"], ("scale", "server"), SERVER_FIELDS),
        "stream": medians(
            [{"after": "rest", **r} for r in measured["stream"]],
            ("scale", "server", "after"),
            STREAM_FIELDS,
        ),
        "overhead": medians(measured["overhead"], ("scale",), OVERHEAD_FIELDS),
        "runaway": runaway,
        "bare": medians(measured.get("bare", []), ("scale",), BARE_FIELDS),
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
    """Render uncached throughput, p99 and CPU per request, the ratios, and kg's cached rate.

    The first server is the one compared (kg); the ratios are to the floor server and to
    oxigraph when they were measured.
    """
    rows = index(summary["load"], "scale", "server", "shape", "connections", "uncached")
    main = servers[0]
    head = ["shape", "conns"]
    for name in servers:
        head += [f"{name} req/s", f"{name} p99 ms", f"{name} CPU ms/req"]
    others = [name for name in ("floor", "oxigraph", "rdflib") if name in servers[1:]]
    head += [f"{main}/{name} req/s" for name in others]
    if "oxigraph" in servers[1:]:
        head.append(f"{main}/oxigraph p99")
    head.append(f"{main} cached req/s")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    cases = sorted(
        {(r["shape"], r["connections"]) for r in summary["load"] if r["scale"] == scale},
        key=lambda c: (SHAPE_ORDER.get(c[0], 99), c[1]),
    )
    for shape, conns in cases:
        cells = [shape, str(conns)]
        got = {name: rows.get((scale, name, shape, conns, True)) for name in servers}
        for name in servers:
            row = got[name]
            mark = " ⚠" if row and row.get("non2xx") else ""
            cells += [rate(throughput(row)) + mark, fmt(get(row, "p99_ms"), 2)]
            cells.append(fmt(get(row, "cpu_ms"), 2))
        for name in others:
            compared = got.get(name)
            if name == "rdflib":
                cells.append(versus_slow(throughput(got[main]), compared))
            else:
                cells.append(fmt_ratio(ratio(throughput(got[main]), throughput(compared))))
        if "oxigraph" in servers[1:]:
            ox = got.get("oxigraph")
            cells.append(fmt_ratio(ratio(get(got[main], "p99_ms"), get(ox, "p99_ms"))))
        cached = rows.get((scale, main, shape, conns, False))
        mark = " ⚠" if cached and cached.get("non2xx") else ""
        cells.append(rate(throughput(cached)) + mark if cached else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


SHAPE_ORDER = {"point": 0, "join2": 1, "range": 2, "group": 3, "construct": 4, "rows50k": 5}


def server_table(summary: dict[str, list[Record]], scale: int, servers: Sequence[str]) -> list[str]:
    """Render load time, memory (PSS first) and the 500k-row stream per server."""
    rows = index(summary["servers"], "scale", "server")
    streams = index(summary["stream"], "scale", "server", "after")
    lines = [
        "| server | load s | file → first answer s | idle PSS MiB | peak PSS MiB | idle RSS MiB "
        "| peak RSS MiB | 500k rows: first byte ms | after 100 disconnects ms | total s | MB "
        "| RSS growth MiB |",
        "|" + "---|" * 12,
    ]
    for name in servers:
        row = rows.get((scale, name))
        if row is None:
            continue
        rested = streams.get((scale, name, "rest"))
        stormed = streams.get((scale, name, "disconnects"))
        lines.append(
            f"| {name} | {fmt(row['load_s'], 2)} | {fmt(row['ready_s'], 2)} "
            f"| {fmt(row.get('idle_pss_mib'), 0)} | {fmt(row['peak_pss_mib'], 0)} "
            f"| {fmt(row['idle_rss_mib'], 0)} | {fmt(row['peak_rss_mib'], 0)} "
            f"| {fmt(get(rested, 'ttfb_ms'), 1)} | {fmt(get(stormed, 'ttfb_ms'), 1)} "
            f"| {fmt(get(rested, 'total_s'), 2)} | {fmt(get(rested, 'mb'), 0)} "
            f"| {fmt(get(rested, 'growth_rss_mib'), 0)} |"
        )
    bare = index(summary.get("bare", []), "scale").get((scale,))
    if bare is not None:
        lines.append(
            f"| bare Python process holding the store | – | – | {fmt(bare['idle_pss_mib'], 0)} "
            f"| – | {fmt(bare['idle_rss_mib'], 0)} | – | – | – | – | – | – |"
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


HEAVY = ("range", "group", "rows50k")
OTHER_SHAPES = ("join2", "range", "group", "construct", "rows50k")
FIRST_BYTE_MS = 50.0
IDLE_EXTRA_MIB = 100.0
RUNAWAY_GRACE_S = 0.5
FREED_CPU_S_PER_S = 0.2
"""CPU seconds per second the server may still use once the load and the runaway are over."""


def verdict(ok: bool | None) -> str:
    """Say met, not met, or not measured."""
    return "not measured" if ok is None else ("met" if ok else "**not met**")


def all_of(checks: Iterable[bool | None]) -> bool | None:
    """Combine checks: None when nothing was measured, else whether every measured one holds."""
    known = [c for c in checks if c is not None]
    return all(known) if known else None


def goals(summary: dict[str, list[Record]], scale: int, crowd: int = 32) -> list[Record]:
    """Hold kg's uncached figures at 8 connections to the issue's goals; one record per goal."""
    rows = index(summary["load"], "scale", "server", "shape", "connections", "uncached")

    def at(server: str, shape: str, conns: int = 8) -> Record | None:
        return rows.get((scale, server, shape, conns, True))

    found: list[Record] = []
    point = ratio(throughput(at("kg", "point")), throughput(at("floor", "point")))
    found.append({"goal": "point lookups ≥ 0.9× the floor server", "measured": fmt_ratio(point),
                  "met": None if point is None else point >= 0.9})  # fmt: skip
    stretch = ratio(throughput(at("kg", "point")), throughput(at("oxigraph", "point")))
    found.append({"goal": "point lookups ≥ 0.35× oxigraph (stretch)",
                  "measured": fmt_ratio(stretch),
                  "met": None if stretch is None else stretch >= 0.35})  # fmt: skip
    versus = {
        n: ratio(throughput(at("kg", n)), throughput(at("oxigraph", n))) for n in OTHER_SHAPES
    }
    found.append({
        "goal": "joins, ranges, aggregates, CONSTRUCT, 50k rows ≥ 0.95× oxigraph",
        "measured": ", ".join(f"{n} {fmt_ratio(v)}" for n, v in versus.items()),
        "met": all_of(None if v is None else v >= 0.95 for v in versus.values()),
    })  # fmt: skip
    refused = {(n, c): get(at("kg", n, c), "non2xx") for n in SHAPE_ORDER for c in (8, crowd)}
    bad = {k: v for k, v in refused.items() if v}
    found.append({
        "goal": f"zero non-2xx at 8 and {crowd} connections, every shape",
        "measured": ", ".join(f"{n} c={c}: {int(v)}" for (n, c), v in bad.items()) or "none",
        "met": all_of(None if v is None else v == 0 for v in refused.values()),
    })  # fmt: skip
    p99 = {n: ratio(get(at("kg", n), "p99_ms"), get(at("oxigraph", n), "p99_ms")) for n in HEAVY}
    found.append({
        "goal": "p99 at 8 connections ≤ 1.3× oxigraph's on heavy shapes",
        "measured": ", ".join(f"{n} {fmt_ratio(v)}" for n, v in p99.items()),
        "met": all_of(None if v is None else v <= 1.3 for v in p99.values()),
    })  # fmt: skip
    streams = index(summary["stream"], "scale", "server", "after")
    firsts = {a: get(streams.get((scale, "kg", a)), "ttfb_ms") for a in ("rest", "disconnects")}
    found.append({
        "goal": f"first byte of 500k rows < {FIRST_BYTE_MS:g} ms, also after 100 disconnects",
        "measured": f"{fmt(firsts['rest'], 1)} ms rested, {fmt(firsts['disconnects'], 1)} ms after",
        "met": all_of(None if v is None else v < FIRST_BYTE_MS for v in firsts.values()),
    })  # fmt: skip
    kg_row = index(summary["servers"], "scale", "server").get((scale, "kg"))
    bare = index(summary.get("bare", []), "scale").get((scale,))
    idle, floor_pss = get(kg_row, "idle_pss_mib"), get(bare, "idle_pss_mib")
    found.append({
        "goal": f"idle PSS ≤ bare store process + {IDLE_EXTRA_MIB:g} MiB",
        "measured": f"{fmt(idle, 0)} MiB against {fmt(floor_pss, 0)} + {IDLE_EXTRA_MIB:g}",
        "met": None if idle is None or floor_pss is None else idle <= floor_pss + IDLE_EXTRA_MIB,
    })  # fmt: skip
    runaway = index(summary.get("runaway", []), "scale", "server").get((scale, "kg"))
    if runaway is None:
        found.append({"goal": "runaway: 504 within deadline + 0.5 s, CPU freed, under load",
                      "measured": "–", "met": None})  # fmt: skip
    else:
        limit = runaway["deadline_s"] + RUNAWAY_GRACE_S
        cpu = runaway["cpu_after_s_per_s"]
        found.append({
            "goal": "runaway: 504 within deadline + 0.5 s, CPU freed, under load",
            "measured": f"{'/'.join(map(str, runaway['statuses']))} after "
            f"{runaway['answered_s']:.2f} s (deadline {runaway['deadline_s']:g} s); "
            f"{cpu:.2f} CPU s/s after",
            "met": runaway["statuses"] == [504] and runaway["answered_s"] <= limit
            and cpu <= FREED_CPU_S_PER_S,
        })  # fmt: skip
    return found


def goals_table(summary: dict[str, list[Record]], scale: int, crowd: int = 32) -> list[str]:
    """Render the goals of kg, uncached, at 8 connections, as met or not met."""
    lines = ["| goal (uncached, 8 connections) | measured | |", "|---|---|---|"]
    for goal in goals(summary, scale, crowd):
        lines.append(f"| {goal['goal']} | {goal['measured']} | {verdict(goal['met'])} |")
    return lines


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
        f"{meta['rounds']} round(s), medians. Every request of an uncached run is a text never "
        "sent before; the cached column repeats one text. kg and the floor server run "
        f"{meta.get('workers', 1)} HTTP worker process(es). ⚠ marks runs with non-2xx responses.",
        "",
    ]
    for scale in meta["scales"]:
        out += [f"## {scale:,} triples", ""]
        out += [*load_table(summary, scale, servers), ""]
        out += [*server_table(summary, scale, servers), ""]
        out += overhead_line(summary, scale)
        if "kg" in servers:
            out += [*goals_table(summary, scale, meta.get("crowd", 32)), ""]
    out += [f"- {note}" for note in meta.get("notes", [])]
    return "\n".join(out).rstrip() + "\n"
