"""Run the side-by-side benchmark: for each scale and round, each server in turn, every shape."""

from __future__ import annotations

import contextlib
import datetime
import json
import math
import os
import platform
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import client, report, servers
from bench.datagen import dataset_path
from bench.shapes import SHAPES, STREAM, Shape

HERE = Path(__file__).resolve().parent
CACHE = HERE / ".data"
RESULTS = HERE / "results"
WORK = CACHE / "work"
"""Stores and server logs of the latest run."""
RDFLIB_MAX = 1_000_000
"""Largest scale rdflib-endpoint is run at (1M triples takes it minutes and over 1 GB)."""


@dataclass
class Plan:
    """What one run measures and how long it may take."""

    mode: str
    scales: tuple[int, ...]
    rounds: int
    seconds: int
    budget_s: float
    connections: tuple[int, ...] = (1, 8)
    crowd: int = 32
    """Connections of the extra uncached run of kg that checks nothing is refused."""
    workers: int = 2
    """HTTP worker processes of kg (``--workers``) and of the floor server (gunicorn ``-w``)."""
    shapes: tuple[Shape, ...] = SHAPES
    engines: tuple[str, ...] = ("kg", "floor", "oxigraph")
    kg_variants: dict[str, list[str]] = field(default_factory=lambda: {"kg": []})
    stream: bool = True
    goals: bool = True
    """Probe the goals only kg is held to: disconnects, a runaway under load, a bare store."""
    overhead: bool = True
    check_timeout: float = 60.0
    ready_limit: float = 900.0

    def servers(self) -> list[str]:
        """Name the servers in table order: kg variants first, then the others."""
        names = list(self.kg_variants) if "kg" in self.engines else []
        return names + [e for e in self.engines if e != "kg"]


QUICK = Plan("quick", (100_000,), rounds=1, seconds=2, budget_s=300.0, check_timeout=20.0)
FULL = Plan(
    "full",
    (100_000, 1_000_000),
    rounds=2,
    seconds=3,
    budget_s=3600.0,
    engines=("kg", "floor", "oxigraph", "rdflib"),
)


class Budget:
    """A wall-clock allowance for the whole run; work past it is skipped and reported."""

    def __init__(self, seconds: float) -> None:
        self.deadline = time.monotonic() + seconds

    def left(self) -> float:
        """Return the seconds left."""
        return self.deadline - time.monotonic()


def start(name: str, plan: Plan, data: Path, work: Path) -> AbstractContextManager[servers.Server]:
    """Return the context that loads and serves the data with one server."""
    if name in plan.kg_variants:
        extra = plan.kg_variants[name]
        if "--workers" not in extra:
            extra = ["--workers", str(plan.workers), *extra]
        return servers.kg(name, data, work, extra, plan.ready_limit)
    if name == "floor":
        return servers.floor(data, work, plan.workers, plan.ready_limit)
    if name == "oxigraph":
        return servers.oxigraph(data, work, plan.ready_limit)
    return servers.rdflib_endpoint(data, work, plan.ready_limit)


def run_length(seconds: float, single_s: float, connections: int) -> int:
    """Lengthen a wrk run (up to 3 times) so slow queries complete a few times per connection.

    wrk takes whole seconds.
    """
    return math.ceil(min(3 * seconds, max(seconds, 3 * single_s * connections)))


def runs_of(srv: servers.Server, plan: Plan) -> list[tuple[int, bool]]:
    """Return the (connections, uncached) runs a server gets: uncached at every count; kg also
    cached at every count and uncached with a crowd of clients."""
    runs = [(conns, True) for conns in plan.connections]
    if srv.name.startswith("kg"):
        runs += [(plan.crowd, True)] + [(conns, False) for conns in plan.connections]
    return runs


def measure_server(
    srv: servers.Server, plan: Plan, scale: int, rnd: int, budget: Budget, out: dict[str, list[Any]]
) -> None:
    """Check every shape once, put each under load at each connection count, probe streaming."""
    base = {"scale": scale, "round": rnd, "server": srv.name}
    for shape in plan.shapes:
        checked = client.check(srv.url, shape, plan.check_timeout)
        out["checks"].append({**base, "shape": shape.name, **checked})
        if checked.get("status") != 200:
            print(f"  {srv.name} {shape.name}: {checked}", flush=True)
            continue
        for conns, uncached in runs_of(srv, plan):
            seconds = run_length(plan.seconds, checked["seconds"], conns)
            if budget.left() < seconds + 5:
                out["skipped"].append({**base, "shape": shape.name, "connections": conns})
                continue
            figures = client.load(
                srv.url, shape, conns, seconds,
                scale=scale if uncached else None, cpu_of=srv.process.pid,
            )  # fmt: skip
            out["load"].append(
                {**base, "shape": shape.name, "connections": conns, "uncached": uncached,
                 "single_s": checked["seconds"], **figures}
            )  # fmt: skip
            print(
                f"  {srv.name:9} {shape.name:9} c={conns:<2} "
                f"{'uncached' if uncached else 'cached  '}"
                f" {figures['rps']:9.1f} req/s  p99 {report.fmt(figures['p99_ms'], 2)} ms  "
                f"CPU {report.fmt(figures.get('cpu_ms'), 3)} ms/req  non-2xx {figures['non2xx']}"
                f"  errors {figures['errors']}",
                flush=True,
            )
    if plan.stream and srv.name != "rdflib" and srv.name != "floor" and budget.left() > 30:
        probe = client.stream_probe(srv.url, STREAM, srv.sampler, timeout=min(120, budget.left()))
        out["stream"].append({**base, "after": "rest", **probe})
        print(f"  {srv.name:9} stream    {probe}", flush=True)
        if srv.name.startswith("kg") and plan.goals:
            client.disconnect_storm(srv.url, STREAM)
            timeout = min(120, budget.left())
            probe = client.stream_probe(srv.url, STREAM, srv.sampler, timeout=timeout)
            out["stream"].append({**base, "after": "disconnects", **probe})
            print(f"  {srv.name:9} stream after 100 disconnects {probe}", flush=True)
    if srv.name == "kg" and plan.goals and budget.left() > 30:
        point = next(s for s in SHAPES if s.name == "point")
        probe = client.runaway_under_load(
            srv.url, srv.process.pid, point, scale, RUNAWAY, RUNAWAY_DEADLINE_S
        )
        out["runaway"].append({**base, **probe})
        print(f"  {srv.name:9} runaway   {probe}", flush=True)
    if srv.name == "floor" and plan.goals and srv.store is not None:
        point = next(s for s in SHAPES if s.name == "point")
        bare = servers.bare_store_memory(srv.store, point.query)
        out["bare"].append({**base, **bare})
        print(f"  bare store process {bare}", flush=True)


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
RUNAWAY_DEADLINE_S = 2.0


def run(plan: Plan) -> dict[str, Any]:
    """Run the plan and return every measurement with the medians and the machine."""
    budget = Budget(plan.budget_s)
    out: dict[str, list[Any]] = {
        k: []
        for k in (
            "load",
            "servers",
            "stream",
            "checks",
            "skipped",
            "failures",
            "overhead",
            "runaway",
            "bare",
        )
    }
    meta = describe(plan)
    for scale in plan.scales:
        data = dataset_path(CACHE, scale)
        for rnd in range(plan.rounds):
            if "kg" in plan.engines and plan.overhead and budget.left() > 40:
                out["overhead"].append({"scale": scale, "round": rnd, **overhead(data)})
            for name in plan.servers():
                if name == "rdflib" and scale > RDFLIB_MAX:
                    continue
                if budget.left() < 20:
                    out["skipped"].append({"scale": scale, "round": rnd, "server": name})
                    continue
                print(f"[{scale:,} triples, round {rnd + 1}] {name}", flush=True)
                try:
                    with start(name, plan, data, WORK) as srv:
                        measure_server(srv, plan, scale, rnd, budget, out)
                        out["servers"].append(
                            {"scale": scale, "round": rnd, "server": name, "load_s": srv.load_s,
                             "ready_s": srv.ready_s, "idle_rss_mib": srv.idle_rss_mib,
                             "idle_pss_mib": srv.idle_pss_mib,
                             "peak_rss_mib": srv.sampler.peak_rss,
                             "peak_pss_mib": srv.sampler.peak_pss}
                        )  # fmt: skip
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as error:
                    print(f"  {name} failed: {error}", flush=True)
                    out["failures"].append(
                        {"scale": scale, "round": rnd, "server": name, "error": str(error)[:500]}
                    )
    meta["loadavg_end"] = loadavg()
    meta["notes"] += notes(out)
    return {"meta": meta, "summary": report.summarize(out), "measured": out}


def overhead(data: Path) -> dict[str, Any]:
    """Measure what kg's query path adds to a point lookup, in a process of its own."""
    cmd = [sys.executable, "-m", "bench.overhead", str(data), "2000", "10"]
    process = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=HERE.parent,
        start_new_session=True,
    )  # fmt: skip
    try:
        stdout, stderr = process.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        return {"error": "no answer in 180 s"}
    finally:
        servers.stop(process)  # with its query workers
    if process.returncode != 0:
        return {"error": stderr[-500:]}
    figures: dict[str, Any] = json.loads(stdout.splitlines()[-1])
    print(f"  kg path overhead (point lookup, no HTTP): {figures}", flush=True)
    return figures


def notes(out: dict[str, list[Any]]) -> list[str]:
    """Explain what the table cannot show: failed checks, differing answers, skipped work."""
    found = []
    counts: dict[tuple[int, str], set[int]] = {}
    for check in out["checks"]:
        if check.get("status") != 200:
            found.append(f"{check['server']} failed {check['shape']}: {check.get('error')}")
        else:
            counts.setdefault((check["scale"], check["shape"]), set()).add(check["results"])
    for (scale, shape), sizes in sorted(counts.items()):
        if len(sizes) > 1:
            found.append(f"servers disagree on {shape} at {scale}: result sizes {sorted(sizes)}")
    found += [f"{f['server']} at {f['scale']} failed: {f['error']}" for f in out["failures"]]
    if out["skipped"]:
        found.append(f"{len(out['skipped'])} measurement(s) skipped: time budget exhausted")
    return found


def loadavg() -> str:
    """Return the 1, 5 and 15 minute load averages (how busy the machine was)."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def describe(plan: Plan) -> dict[str, Any]:
    """Record the plan, the machine, the versions and the commit."""
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    mem_kib = servers_mem_total()
    return {
        "mode": plan.mode,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{cpu}, {os.cpu_count()} cores, {mem_kib / 1048576:.0f} GiB RAM, "
        f"{platform.system()} {platform.release()}",
        "loadavg_start": loadavg(),
        "versions": versions(),
        "commit": git_commit(),
        "scales": list(plan.scales),
        "rounds": plan.rounds,
        "seconds": plan.seconds,
        "connections": list(plan.connections),
        "crowd": plan.crowd,
        "workers": plan.workers,
        "servers": plan.servers(),
        "kg_variants": plan.kg_variants,
        "notes": [],
    }


def servers_mem_total() -> int:
    """Return the machine's memory in KiB."""
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1])
    return 0


def versions() -> str:
    """Name the versions of everything measured."""
    found = [f"Python {platform.python_version()}"]
    for dist in ("peru-ecuador-kg", "pyoxigraph", "oxigraph", "flask", "gunicorn", "h11"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            found.append(f"{dist} {metadata.version(dist)}")
    rdflib_python = servers.RDFLIB_VENV / "bin" / "python"
    if rdflib_python.exists():
        found.append(servers.RDFLIB_ENDPOINT.replace("[cli]==", " "))
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    found.append((wrk.stdout or wrk.stderr).split(" [")[0].strip())
    return ", ".join(found)


def git_commit() -> str:
    """Return the short commit of the worktree, marked dirty when it has changes."""
    done = subprocess.run(
        ["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
        cwd=HERE, check=False,
    )  # fmt: skip
    return done.stdout.strip() or "unknown"


@contextlib.contextmanager
def terminated_as_exit() -> Iterator[None]:
    """Turn SIGTERM into SystemExit so the servers' finally blocks stop them."""

    def handler(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def write(result: dict[str, Any], standard: bool) -> tuple[Path, Path]:
    """Write the result as JSON and as a markdown table; return both paths.

    A run of the standard plan replaces latest-MODE; a customized one goes to tmp/custom-MODE.
    """
    mode = result["meta"]["mode"]
    stem = RESULTS / f"latest-{mode}" if standard else RESULTS / "tmp" / f"custom-{mode}"
    stem.parent.mkdir(parents=True, exist_ok=True)
    json_path, md_path = stem.with_suffix(".json"), stem.with_suffix(".md")
    json_path.write_text(json.dumps(result, indent=1) + "\n")
    md_path.write_text(report.markdown(result))
    return json_path, md_path


def main(plan: Plan, standard: bool) -> int:
    """Run a plan, print the table and write the result files."""
    client.wrk_binary()
    for log in WORK.glob("*.log"):
        log.unlink()
    if "rdflib" in plan.engines:
        servers.ensure_rdflib_venv(WORK / "rdflib-venv.log")
    started = time.monotonic()
    with terminated_as_exit():
        result = run(plan)
    result["meta"]["wall_s"] = round(time.monotonic() - started, 1)
    json_path, md_path = write(result, standard)
    sys.stdout.write("\n" + report.markdown(result))
    print(f"\nwrote {json_path} and {md_path} in {result['meta']['wall_s']} s")
    return 0
