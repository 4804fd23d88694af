"""Drive an endpoint: wrk under load, one checked request, and the streaming probe."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.memory import Sampler
from bench.shapes import SOLUTIONS, Shape

LUA = Path(__file__).resolve().with_name("report.lua")
MARKER = "BENCH-JSON "
HOST = "127.0.0.1"


def target(url: str, shape: Shape) -> str:
    """Return the GET URL that asks an endpoint for a shape's query."""
    return f"{url}?query={urllib.parse.quote(shape.query, safe='')}"


def wrk_binary() -> str:
    """Return the wrk executable or explain how to get it."""
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is missing: apt-get install -y wrk (or make system-deps)")
    return found


def parse_wrk(output: str) -> dict[str, Any]:
    """Turn the JSON line printed by report.lua into throughput, latency and error figures."""
    line = next((ln for ln in output.splitlines() if ln.startswith(MARKER)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no summary:\n{output[-2000:]}")
    raw = json.loads(line[len(MARKER) :])
    seconds = raw["duration_us"] / 1e6
    latency = raw["latency_us"]
    done = raw["requests"]
    return {
        "requests": done,
        "rps": done / seconds if seconds else 0.0,
        "mb_s": raw["bytes"] / seconds / 1e6 if seconds else 0.0,
        "p50_ms": latency["p50"] / 1000 if done else None,
        "p90_ms": latency["p90"] / 1000 if done else None,
        "p99_ms": latency["p99"] / 1000 if done else None,
        "errors": sum(raw["errors"].values()),
        "non2xx": raw["errors"]["status"],
    }


def load(url: str, shape: Shape, connections: int, seconds: int) -> dict[str, Any]:
    """Run wrk with one thread and n connections for whole seconds against one shape."""
    timeout = max(2, seconds * 2)
    cmd = [
        wrk_binary(), "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s",
        "-H", f"Accept: {shape.accept}", "-s", str(LUA), target(url, shape),
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + timeout + 30)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {(done.stderr or done.stdout)[-500:]}")
    return parse_wrk(done.stdout)


def count_results(media_type: str, body: bytes) -> int:
    """Count the solutions (JSON results) or triples (N-Triples) in a response body."""
    if media_type == SOLUTIONS:
        return len(json.loads(body)["results"]["bindings"])
    return sum(1 for line in body.splitlines() if line.strip() and not line.startswith(b"#"))


def fetch(url: str, shape: Shape, timeout: float) -> tuple[int, bytes]:
    """Send one query and return the status and the body."""
    parts = urllib.parse.urlsplit(target(url, shape))
    conn = http.client.HTTPConnection(parts.hostname or HOST, parts.port, timeout=timeout)
    try:
        conn.request("GET", f"{parts.path}?{parts.query}", headers={"Accept": shape.accept})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def check(url: str, shape: Shape, timeout: float) -> dict[str, Any]:
    """Answer one query, timing it and counting its results (also warms the server up)."""
    started = time.perf_counter()
    try:
        status, body = fetch(url, shape, timeout)
    except OSError as error:
        return {"status": None, "error": str(error), "seconds": time.perf_counter() - started}
    seconds = time.perf_counter() - started
    if status != 200:
        return {"status": status, "error": body[:300].decode(errors="replace"), "seconds": seconds}
    return {"status": status, "results": count_results(shape.accept, body), "seconds": seconds}


def stream_probe(url: str, shape: Shape, sampler: Sampler, timeout: float) -> dict[str, Any]:
    """Fetch a large result, timing the first body byte and the server's memory growth."""
    parts = urllib.parse.urlsplit(target(url, shape))
    before = sampler.sample()
    sampler.reset()
    conn = http.client.HTTPConnection(parts.hostname or HOST, parts.port, timeout=timeout)
    received, first = 0, None
    started = time.perf_counter()
    deadline = started + timeout
    try:
        conn.request("GET", f"{parts.path}?{parts.query}", headers={"Accept": shape.accept})
        response = conn.getresponse()
        headers_s = time.perf_counter() - started
        while time.perf_counter() < deadline:
            chunk = response.read1(1 << 16)
            if not chunk:
                break
            if first is None:
                first = time.perf_counter() - started
            received += len(chunk)
        total = time.perf_counter() - started
        status = response.status
    finally:
        conn.close()
    sampler.sample()
    return {
        "status": status,
        "headers_ms": headers_s * 1000,
        "ttfb_ms": first * 1000 if first is not None else None,
        "total_s": total,
        "mb": received / 1e6,
        "rss_before_mib": before,
        "growth_rss_mib": max(0.0, sampler.peak_rss - before),
        "truncated": total >= timeout,
    }
