"""Push and query throughput over each tested production store (README, "Scaling out").

    .venv/bin/python -m bench.stores                    # the article graph and 1M triples
    .venv/bin/python -m bench.stores --scales article --seconds 3

For each scale and store (``oxigraph serve``, Virtuoso): a new store, the push timed (``kg build
--into`` for the article graph; the generated data as one graph through the same push code),
then ``wrk`` against the store itself and against ``kg serve --store-url`` in front of it. The
stores are started by the tests' own helpers (``tests/support``), so what is measured is what is
tested. Results: a markdown report on stdout and ``bench/results/latest-stores.{json,md}``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, RdfFormat, Store

from bench import client
from bench.datagen import dataset_path
from bench.run import CACHE
from bench.shapes import SHAPES, Shape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from support.oxigraph import OxigraphServer, kg_build_into, oxigraph_binary  # noqa: E402
from support.server import ServerProcess, start_server  # noqa: E402
from support.virtuoso import VirtuosoServer  # noqa: E402

from kg import __version__  # noqa: E402
from kg.execution.graph_writer import WriteOptions  # noqa: E402
from kg.execution.push import push_store  # noqa: E402
from kg.execution.remote import RemoteBackend  # noqa: E402
from kg.iris import GRAPH_NS, ID_NS  # noqa: E402
from kg.resources import queries_dir  # noqa: E402

RESULTS = ROOT / "bench" / "results"
NEWS = NamedNode("https://bench.example.org/graph/news")
VIRTUOSO_MEMORY = {"Parameters": {"NumberOfBuffers": "170000", "MaxDirtyBuffers": "130000"}}
"""The package ini's own suggestion for a machine with 2 GB for Virtuoso (its default is 80 MB)."""
ARTICLE_SHAPES = (
    Shape("point", f"SELECT ?p ?o WHERE {{ <{ID_NS}peru> ?p ?o }}"),
    Shape("commitments", (queries_dir() / "agreement-commitments.rq").read_text(encoding="utf-8")),
    Shape(
        "construct",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_NS}entities> {{ ?s ?p ?o }} }}",
        accept="application/n-triples",
    ),
)


@dataclass
class Target:
    """A running store: its name, what kg build --into takes, and its query URL."""

    name: str
    into: str
    query_url: str


@contextmanager
def store(name: str, work: Path) -> Iterator[Target]:
    """Start a new store of one kind in a directory of its own."""
    work.mkdir(parents=True)
    if name == "oxigraph":
        oxigraph = OxigraphServer(work / "oxigraph", timeout_s=None).start()
        try:
            yield Target(name, oxigraph.url, oxigraph.query_url)
        finally:
            oxigraph.stop()
        return
    virtuoso = VirtuosoServer(work / "virtuoso", tuning=VIRTUOSO_MEMORY).start()
    try:
        yield Target(name, virtuoso.sparql_url, virtuoso.sparql_url)
    finally:
        virtuoso.stop()


def push_article(target: Target, via: str) -> dict[str, Any]:
    """Push the article graph with kg build --into and read the rate it reports."""
    done = kg_build_into(target.into, "--push-via", via)
    summary = done.stdout.splitlines()[-1]
    found = re.search(r"pushed (\d+) triples .* in ([\d.]+) s", summary)
    assert found, summary
    triples, seconds = int(found.group(1)), float(found.group(2))
    return {"via": via, "triples": triples, "seconds": seconds, "summary": summary}


def push_graph(target: Target, data: Store, via: str) -> dict[str, Any]:
    """Push one large graph through the code kg build --into runs after its checks."""
    remote = RemoteBackend(target.query_url, writes=WriteOptions(via=via))  # type: ignore[arg-type]
    try:
        started = time.monotonic()
        pushed = push_store(data, remote)
        seconds = time.monotonic() - started
    finally:
        remote.close()
    return {"via": via, "triples": sum(pushed.values()), "seconds": round(seconds, 2)}


def measure(url: str, shapes: tuple[Shape, ...], seconds: int) -> list[dict[str, Any]]:
    """Ask each shape once (its answer size), then run wrk with 1 and 8 connections."""
    rows = []
    for shape in shapes:
        started = time.monotonic()
        status, body = client.fetch(url, shape, timeout=120)
        single = time.monotonic() - started
        answer = client.count_results(shape.accept, body) if status == 200 else None
        for connections in (1, 8):
            # As the main benchmark does: longer runs for slow queries, at most three times.
            planned = min(max(seconds, 3 * single * connections), 3 * seconds)
            figures = client.load(url, shape, connections, math.ceil(planned))
            rows.append(
                {"shape": shape.name, "connections": connections, "answer": answer, **figures}
            )
    return rows


def serve_over(target: Target) -> ServerProcess:
    """Start kg serve in front of a store, with a query slot for each of wrk's connections.

    Its response cache is off over a remote store, so every request reaches the store.
    """
    return start_server("--store-url", target.query_url, "--max-concurrent-queries", "8")


def run_scale(scale: str, stores: list[str], seconds: int, work: Path) -> dict[str, Any]:
    """Push into and query each store at one scale."""
    results: dict[str, Any] = {}
    data: Store | None = None
    if scale != "article":
        path = dataset_path(CACHE, int(scale))
        data = Store()
        data.load(path=path, format=RdfFormat.N_TRIPLES, to_graph=NEWS)
    shapes = ARTICLE_SHAPES if data is None else SHAPES
    for name in stores:
        print(f"{scale} / {name}", file=sys.stderr, flush=True)
        with store(name, work / f"{scale}-{name}") as target:
            pushes = []
            for via in ("graph-store", "update"):
                if data is None:
                    pushes.append(push_article(target, via))
                elif via == "graph-store" or name == "oxigraph":
                    pushes.append(push_graph(target, data, via))
            if data is not None and name == "virtuoso":
                # Virtuoso takes about 900 triples a second through SPARQL Update (measured on
                # the article graph); a million would take twenty minutes, so only GSP is run.
                pushes.append({"via": "update", "skipped": "about 900 triples/s: see article"})
            direct = measure(target.query_url, shapes, seconds)
            server = serve_over(target)
            try:
                fronted = measure(server.sparql, shapes, seconds)
            finally:
                server.stop()
            results[name] = {"push": pushes, "store": direct, "kg": fronted}
    return results


def versions() -> dict[str, str]:
    """Return the versions of everything measured."""
    oxigraph = subprocess.run([oxigraph_binary(), "--version"], capture_output=True, text=True)
    virtuoso = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True)
    line = next(
        (ln for ln in (virtuoso.stdout + virtuoso.stderr).splitlines() if ln.startswith("Version")),
        "",
    )
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return {
        "kg": __version__,
        "oxigraph": oxigraph.stdout.strip(),
        "virtuoso": line.strip(),
        "python": platform.python_version(),
        "commit": commit.stdout.strip(),
    }


def rate(push: dict[str, Any]) -> str:
    """Write one push as triples per second."""
    if "skipped" in push:
        return "not run"
    per_second = push["triples"] / max(push["seconds"], 1e-9)
    return f"{per_second:,.0f}/s ({push['seconds']:.1f} s)"


def per_second(value: float) -> str:
    """Write a request rate: whole numbers, one decimal below ten."""
    return f"{value:,.0f}" if value >= 10 else f"{value:.1f}"


def report(result: dict[str, Any]) -> str:
    """Write the results as markdown tables."""
    lines = [
        f"Machine: {os.cpu_count()} cores, load average at start {result['load_start']}, "
        f"at end {result['load_end']}.",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in result["versions"].items()) + ".",
        f"wrk: {result['seconds']} s per run (up to 3× for slow queries), 1 thread, GET with "
        "Accept (SPARQL JSON, N-Triples for CONSTRUCT); kg serve --store-url URL "
        "--max-concurrent-queries 8 (1 worker; the response cache is off over a remote "
        "store). ⚠: some answers were not 2xx.",
        "",
    ]
    for scale, stores in result["scales"].items():
        lines += [
            f"#### {scale}",
            "",
            "| store | push: Graph Store | push: SPARQL Update |",
            "|---|---|---|",
        ]
        for name, found in stores.items():
            by_via = {p["via"]: p for p in found["push"]}
            lines.append(f"| {name} | {rate(by_via['graph-store'])} | {rate(by_via['update'])} |")
        lines += [
            "",
            "| shape | answer | conns | "
            + " | ".join(
                f"{name} req/s | kg over {name} req/s | kg over {name} p99 ms" for name in stores
            )
            + " |",
            "|---|---|---|" + "---|---|---|" * len(stores),
        ]
        first = next(iter(stores.values()))
        for index, row in enumerate(first["store"]):
            cells = [row["shape"], str(row["answer"]), str(row["connections"])]
            for found in stores.values():
                direct, fronted = found["store"][index], found["kg"][index]
                cells += [
                    per_second(direct["rps"]) + (" ⚠" if direct["non2xx"] else ""),
                    per_second(fronted["rps"]) + (" ⚠" if fronted["non2xx"] else ""),
                    f"{fronted['p99_ms']:,.1f}" if fronted["p99_ms"] is not None else "–",
                ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    """Run the measurements and write the report."""
    ap = argparse.ArgumentParser(prog="python -m bench.stores", description=__doc__)
    ap.add_argument("--scales", default="article,1000000", help="article and/or triple counts")
    ap.add_argument("--stores", default="oxigraph,virtuoso", help="oxigraph and/or virtuoso")
    ap.add_argument("--seconds", type=int, default=5, help="wrk duration per shape and count")
    args = ap.parse_args()
    result: dict[str, Any] = {
        "versions": versions(),
        "seconds": args.seconds,
        "load_start": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "scales": {},
    }
    with tempfile.TemporaryDirectory(prefix="kg-stores-") as work:
        for scale in args.scales.split(","):
            result["scales"][scale] = run_scale(
                scale, args.stores.split(","), args.seconds, Path(work)
            )
    result["load_end"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    markdown = report(result)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest-stores.json").write_text(json.dumps(result, indent=1) + "\n")
    (RESULTS / "latest-stores.md").write_text(markdown + "\n")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
