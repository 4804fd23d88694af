"""Measure HTTP serving stacks: uncached point lookups (wrk) and slow or idle clients.

Every stack serves the same minimal Flask + pyoxigraph app (the query evaluated in the request
thread, results serialized natively), so only the server differs. Run it with
``python -m bench.stacks [STACK ...]``; waitress is measured when it is installed.

Attacks come from 127.0.0.2 while a probe on 127.0.0.1 asks ``ASK {}`` every 0.2 s: the table
shows the probe's slowest answer (or its failures) during each attack.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

from bench.servers import free_port, status_of

PERSONS = 20_000
WRK_SECONDS = 10
ATTACK_SECONDS = 12
APP = """
import sys
from flask import Flask, Response, request
from pyoxigraph import Literal, NamedNode, Quad, QueryResultsFormat, Store

store = Store()
store.bulk_extend(
    Quad(NamedNode(f"http://e/person/{i}"), NamedNode(f"http://e/p{j}"), Literal(i * j))
    for i in range({persons}) for j in range(5)
)
app = Flask(__name__)


@app.route("/sparql", methods=["GET", "POST"])
def sparql():
    text = request.values["query"]
    result = store.query(text)
    body = result.serialize(format=QueryResultsFormat.JSON)
    return Response(body, content_type="application/sparql-results+json")
"""
WRK_SCRIPT = r"""
local counter = 0
local nonce = os.time() .. math.random(1000000)
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  n = 0
end
function request()
  n = n + 1
  local person = (n * 7 + id * 1000) % PERSONS
  local q = "SELECT ?p ?o WHERE { <http://e/person/" .. person .. "> ?p ?o } #"
    .. nonce .. id .. "-" .. n
  local encoded = q:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end)
  return wrk.format("GET", "/sparql?query=" .. encoded)
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests":%d,"duration_us":%d,"errors":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(99)))
end
"""

STACKS: dict[str, list[str]] = {
    "gunicorn-sync-2": ["gunicorn", "-w", "2", "-k", "sync"],
    "gunicorn-gthread-1x8": ["gunicorn", "-w", "1", "-k", "gthread", "--threads", "8"],
    "gunicorn-gthread-2x8": ["gunicorn", "-w", "2", "-k", "gthread", "--threads", "8"],
    "buffered-1": ["buffered", "1"],
    "buffered-2": ["buffered", "2"],
    "waitress-8": ["waitress", "--threads=8"],
}
BUFFERED = """
import sys
sys.path.insert(0, {folder!r})
from gunicorn.app.base import BaseApplication
from kg.server.reading import Limits
import app as served

class Server(BaseApplication):
    limits = Limits(threads=16)
    def load_config(self):
        self.cfg.set("bind", "127.0.0.1:{port}")
        self.cfg.set("workers", {workers})
        self.cfg.set("worker_class", "kg.server.worker.BufferedWorker")
        if "control_socket_disable" in self.cfg.settings:
            self.cfg.set("control_socket_disable", True)
    def load(self):
        return served.app

Server().run()
"""


def command(stack: str, folder: Path, port: int) -> list[str]:
    """Return the command that serves the app with one stack."""
    kind, *options = STACKS[stack]
    binary = Path(sys.executable).parent
    if kind == "gunicorn":
        bind = f"127.0.0.1:{port}"
        return [str(binary / "gunicorn"), *options, "-b", bind, "--chdir", str(folder), "app:app"]
    if kind == "waitress":
        listen = f"--listen=127.0.0.1:{port}"
        waitress = [sys.executable, "-m", "waitress", *options, listen, "app:app"]
        return [*waitress]
    script = BUFFERED.format(folder=str(folder), port=port, workers=int(options[0]))
    return [sys.executable, "-c", script]


def start(stack: str, folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    """Start a stack and wait until it answers."""
    port = free_port()
    process = subprocess.Popen(
        command(stack, folder, port),
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    deadline = time.monotonic() + 60
    while status_of(url) != 200:
        if time.monotonic() > deadline or process.poll() is not None:
            stop(process)
            raise RuntimeError(f"{stack} did not start")
        time.sleep(0.2)
    return process, url


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a stack's whole process group."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def wrk(url: str, script: Path, connections: int) -> dict[str, float]:
    """Run wrk with distinct point lookups; return requests per second, errors and p99."""
    run = subprocess.run(
        [
            *("wrk", "-t", str(min(2, connections)), "-c", str(connections)),
            *("-d", f"{WRK_SECONDS}s", "-s", str(script), url),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in run.stdout.splitlines() if x.startswith("RESULT "))
    found = json.loads(line.removeprefix("RESULT "))
    seconds = found["duration_us"] / 1e6
    return {
        "rps": round(found["requests"] / seconds),
        "errors": found["errors"],
        "p99_ms": found["p99_us"] / 1000,
    }


def attacker(port: int) -> socket.socket:
    """Open a connection from 127.0.0.2, another client address than the probe's."""
    sock = socket.socket()
    sock.bind(("127.0.0.2", 0))
    sock.settimeout(5)
    sock.connect(("127.0.0.1", port))
    return sock


def slow_headers(port: int, stop_at: float) -> None:
    """Ten connections, each sending its request head one byte a second."""
    head = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 200
    socks = [attacker(port) for _ in range(10)]
    index = 0
    while time.monotonic() < stop_at:
        for sock in socks:
            with suppress(OSError):
                sock.send(head[index % len(head) : index % len(head) + 1])
        index += 1
        time.sleep(1)
    for sock in socks:
        sock.close()


def idle(port: int, stop_at: float) -> None:
    """Two hundred connections that send nothing."""
    socks = []
    for _ in range(200):
        with suppress(OSError):
            socks.append(attacker(port))
    while time.monotonic() < stop_at:
        time.sleep(0.2)
    for sock in socks:
        sock.close()


def slow_bodies(port: int, stop_at: float) -> None:
    """Eight POSTs whose bodies arrive one byte a second."""
    socks = [attacker(port) for _ in range(8)]
    for sock in socks:
        with suppress(OSError):
            sock.send(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                b"Content-Length: 1000\r\n\r\nASK"
            )
    while time.monotonic() < stop_at:
        for sock in socks:
            with suppress(OSError):
                sock.send(b" ")
        time.sleep(1)
    for sock in socks:
        sock.close()


ATTACKS: dict[str, Callable[[int, float], None]] = {
    "slow headers x10": slow_headers,
    "idle x200": idle,
    "slow bodies x8": slow_bodies,
}


def probe(url: str, stop_at: float) -> dict[str, float]:
    """Ask ASK {} every 0.2 s until stop_at; return the slowest answer and the failures."""
    parts = urllib.parse.urlsplit(url)
    worst, failures = 0.0, 0
    while time.monotonic() < stop_at:
        started = time.monotonic()
        try:
            with socket.create_connection((parts.hostname, parts.port), timeout=30) as sock:
                sock.sendall(
                    b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                )
                answer = sock.recv(64)
            if not answer.startswith(b"HTTP/1.1 200"):
                failures += 1
        except OSError:
            failures += 1
        worst = max(worst, time.monotonic() - started)
        time.sleep(0.2)
    return {"worst_s": round(worst, 2), "failures": failures}


def attack(url: str, name: str) -> dict[str, float]:
    """Run one attack for ATTACK_SECONDS with the probe beside it."""
    port = urllib.parse.urlsplit(url).port or 80
    stop_at = time.monotonic() + ATTACK_SECONDS
    thread = threading.Thread(target=ATTACKS[name], args=(port, stop_at), daemon=True)
    thread.start()
    time.sleep(1)
    found = probe(url, stop_at)
    thread.join()
    return found


def measure(stack: str, folder: Path, script: Path) -> dict[str, object]:
    """Measure one stack: throughput at 1 and 8 connections, then each attack."""
    process, url = start(stack, folder)
    try:
        result: dict[str, object] = {"stack": stack}
        for connections in (1, 8):
            result[f"c{connections}"] = wrk(url, script, connections)
        for name in ATTACKS:
            result[name] = attack(url, name)
            time.sleep(1)
        return result
    finally:
        stop(process)


def main(names: list[str]) -> None:
    """Measure the stacks named (all by default) and print one JSON line each."""
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        (folder / "app.py").write_text(APP.replace("{persons}", str(PERSONS)))
        script = folder / "lookup.lua"
        script.write_text(WRK_SCRIPT.replace("PERSONS", str(PERSONS)))
        for stack in names or list(STACKS):
            if stack.startswith("waitress"):
                try:
                    import waitress  # noqa: F401
                except ImportError:
                    print(json.dumps({"stack": stack, "skipped": "waitress is not installed"}))
                    continue
            print(json.dumps(measure(stack, folder, script)), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
