"""Drive an endpoint: wrk under load, one checked request, and the streaming probe."""

from __future__ import annotations

import http.client
import json
import shutil
import socket
import subprocess
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.memory import Sampler, tree_cpu_s
from bench.shapes import SOLUTIONS, Shape

LUA = Path(__file__).resolve().with_name("wrk.lua")
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
    """Turn the JSON line printed by wrk.lua into throughput, latency and error figures."""
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


def distinct_args(url: str, shape: Shape, scale: int) -> list[str]:
    """Return wrk.lua's arguments for texts never sent before: URL-encoded pieces and a nonce."""
    before, modulus, after = shape.distinct(scale)
    path = urllib.parse.urlsplit(url).path
    prefix = f"{path}?query={urllib.parse.quote(before, safe='')}"
    nonce = f"{time.time_ns():x}"
    return [prefix, str(modulus), urllib.parse.quote(after, safe=""), nonce]


def load(
    url: str,
    shape: Shape,
    connections: int,
    seconds: int,
    *,
    scale: int | None = None,
    cpu_of: int | None = None,
) -> dict[str, Any]:
    """Run wrk with one thread and n connections for whole seconds against one shape.

    With a scale, every request is a text never sent before (uncached); without, wrk repeats
    the shape's one text. With ``cpu_of`` (a server's pid), the CPU time its process tree
    spent per request is measured too.
    """
    timeout = max(2, seconds * 2)
    cmd = [
        wrk_binary(), "-t1", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s",
        "-H", f"Accept: {shape.accept}", "-s", str(LUA), target(url, shape),
    ]  # fmt: skip
    if scale is not None:
        cmd += ["--", *distinct_args(url, shape, scale)]
    cpu_before = tree_cpu_s(cpu_of) if cpu_of is not None else None
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + timeout + 30)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {(done.stderr or done.stdout)[-500:]}")
    figures = parse_wrk(done.stdout)
    if cpu_of is not None and cpu_before is not None and figures["requests"]:
        spent = tree_cpu_s(cpu_of) - cpu_before
        figures["cpu_ms"] = spent * 1000 / figures["requests"]
    return figures


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


def disconnect_storm(url: str, shape: Shape, count: int = 100) -> None:
    """Send a heavy query and hang up before its answer, count times in a row."""
    parts = urllib.parse.urlsplit(target(url, shape))
    request = (
        f"GET {parts.path}?{parts.query} HTTP/1.1\r\nHost: {parts.hostname}\r\n"
        f"Accept: {shape.accept}\r\n\r\n"
    ).encode()
    for _ in range(count):
        address = (parts.hostname or HOST, parts.port or 80)
        with socket.create_connection(address, timeout=5) as sock:
            sock.sendall(request)
            time.sleep(0.005)


def runaway_under_load(
    url: str, pid: int, background: Shape, scale: int, runaway: str, deadline_s: float
) -> dict[str, Any]:
    """Ask a runaway query with a short deadline while distinct lookups keep the server busy.

    Return its status, how long the answer took, and the CPU the server's processes use in the
    second after the load stops (about zero once the runaway's process is gone).
    """
    query = urllib.parse.urlencode({"query": runaway, "timeout": f"{deadline_s:g}"})
    parts = urllib.parse.urlsplit(url)
    seconds = int(deadline_s * 2 + 3)
    cmd = [
        wrk_binary(), "-t1", "-c8", f"-d{seconds}s", "-H", f"Accept: {background.accept}",
        "-s", str(LUA), target(url, background), "--", *distinct_args(url, background, scale),
    ]  # fmt: skip
    loader = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    conn = http.client.HTTPConnection(parts.hostname or HOST, parts.port, timeout=deadline_s + 30)
    started = time.perf_counter()
    status: int | None = None
    try:
        conn.request("GET", f"{parts.path}?{query}", headers={"Accept": SOLUTIONS})
        response = conn.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = None
    finally:
        conn.close()
    answered_s = time.perf_counter() - started
    loader.wait(timeout=seconds + 30)
    time.sleep(0.5)
    before = tree_cpu_s(pid)
    time.sleep(1.0)
    return {
        "status": status,
        "answered_s": answered_s,
        "deadline_s": deadline_s,
        "cpu_after_s_per_s": tree_cpu_s(pid) - before,
    }
