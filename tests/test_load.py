"""A bounded load test: wrk against a real ``kg serve`` while a runaway query is cancelled.

8 connections send a mix of small queries for LOAD_SECONDS; meanwhile one client sends a cross
product that would run for hours. The small queries must see zero errors, the runaway a 504
within its deadline, and the server's processes are sampled for their peak memory. The response
cache is off, so every request reaches a query worker.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.support.server import ServerProcess, start_server

pytestmark = pytest.mark.server

LOAD_SECONDS = 10
CONNECTIONS = 8
TRIPLES = 3000
RUNAWAY = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SMALL = [
    "ASK { <http://e/s7> ?p ?o }",
    "SELECT ?o { <http://e/s42> <http://e/p> ?o }",
    "SELECT ?s { ?s <http://e/p> 1234 }",
    "SELECT (COUNT(*) AS ?n) { ?s <http://e/p> ?o FILTER(?o < 100) }",
    "SELECT ?s ?o { ?s <http://e/p> ?o } ORDER BY ?o LIMIT 10",
]
WRK_SCRIPT = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i], {["Accept"] = "application/sparql-results+json"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, '
    .. '"status": %%d, "timeout": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, '
    .. '"max_us": %%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def tree_rss_kib(root: int) -> int:
    """Sum the resident memory of a process and all its descendants."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        parents[int(entry.name)] = int(fields["PPid"])
        rss[int(entry.name)] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, frontier = rss.get(root, 0), [root]
    while frontier:
        children = [pid for pid, parent in parents.items() if parent in frontier]
        total += sum(rss.get(pid, 0) for pid in children)
        frontier = children
    return total


@pytest.fixture
def server(tmp_path: Path) -> ServerProcess:
    data = tmp_path / "numbers.ttl"
    data.write_text(
        "".join(f"<http://e/s{i}> <http://e/p> {i} .\n" for i in range(TRIPLES)), encoding="utf-8"
    )
    started = start_server(
        "--no-article", "--data", str(data), "--query-timeout", "3", "--response-cache-mb", "0"
    )
    yield started
    started.stop()


@pytest.mark.skipif(
    shutil.which("wrk") is None, reason="wrk is installed by scripts/system-deps.sh"
)
def test_small_queries_are_served_while_a_runaway_is_cancelled(
    server: ServerProcess, tmp_path: Path
) -> None:
    paths = ", ".join(f'"/sparql?query={urllib.parse.quote(q)}"' for q in SMALL)
    script = tmp_path / "mix.lua"
    script.write_text(WRK_SCRIPT % paths, encoding="utf-8")
    peak = [tree_rss_kib(server.process.pid)]
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            peak.append(tree_rss_kib(server.process.pid))
            time.sleep(0.1)

    runaway: dict[str, object] = {}

    def run_away() -> None:
        time.sleep(1)
        started = time.monotonic()
        url = f"{server.sparql}?query={urllib.parse.quote(RUNAWAY)}"
        try:
            urllib.request.urlopen(url, timeout=30)
        except urllib.error.HTTPError as error:
            runaway.update(status=error.code, body=error.read().decode())
        runaway["seconds"] = time.monotonic() - started

    threads = [threading.Thread(target=sample), threading.Thread(target=run_away)]
    for thread in threads:
        thread.start()
    wrk = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{LOAD_SECONDS}s",
            "--latency",
            "-s",
            str(script),
            server.url,
        ],
        capture_output=True,
        text=True,
        timeout=LOAD_SECONDS + 30,
        check=True,
    )
    threads[1].join()
    sampling.set()
    threads[0].join()
    [line] = [x for x in wrk.stdout.splitlines() if x.startswith("RESULT ")]
    result = json.loads(line.removeprefix("RESULT "))
    result["requests_per_s"] = round(result["requests"] / (result["duration_us"] / 1e6))
    result["peak_rss_mib"] = round(max(peak) / 1024, 1)
    result["baseline_rss_mib"] = round(peak[0] / 1024, 1)
    print("load:", json.dumps(result), "runaway:", runaway)
    errors = {k: result[k] for k in ("connect", "read", "write", "status", "timeout")}
    assert errors == {"connect": 0, "read": 0, "write": 0, "status": 0, "timeout": 0}
    assert result["requests"] > 0
    assert runaway["status"] == 504
    assert "ran past its 3 s deadline and was stopped" in str(runaway["body"])
    assert 3 <= float(str(runaway["seconds"])) < 6
