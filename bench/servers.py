"""Start the SPARQL servers on loopback ports, wait until they answer, and always stop them."""

from __future__ import annotations

import contextlib
import http.client
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.memory import Sampler

HOST = "127.0.0.1"
HERE = Path(__file__).resolve().parent
RDFLIB_VENV = HERE / ".venv-rdflib"
RDFLIB_ENDPOINT = "rdflib-endpoint[cli]==0.6.3"
ASK = "ASK {}"


@dataclass
class Server:
    """A running server: its query URL, its process and what starting it cost."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    sampler: Sampler
    load_s: float | None = None
    ready_s: float = 0.0
    idle_rss_mib: float = 0.0
    idle_pss_mib: float = 0.0
    store: Path | None = None
    notes: list[str] = field(default_factory=list)


def free_port() -> int:
    """Return a loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def status_of(url: str) -> int | None:
    """Return the status of a trivial ASK to a SPARQL endpoint, None when nothing answers."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or HOST, parts.port, timeout=2)
    try:
        conn.request(
            "GET",
            f"{parts.path}?query={urllib.parse.quote(ASK)}",
            headers={"Accept": "application/sparql-results+json"},
        )
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError:
        return None
    finally:
        conn.close()


def group_alive(process: subprocess.Popen[Any]) -> bool:
    """Tell whether any process of the group the process leads is still there (reaping it)."""
    process.poll()
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop(process: subprocess.Popen[Any]) -> None:
    """Stop a process and everything in its group: TERM, then KILL after 10 seconds."""
    for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
        if not group_alive(process):
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        deadline = time.monotonic() + grace
        while group_alive(process) and time.monotonic() < deadline:
            time.sleep(0.05)


def launch(cmd: list[str], log: Path) -> subprocess.Popen[bytes]:
    """Start a command in its own process group with its output in a log file."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        out.write(f"$ {shlex.join(cmd)}\n".encode())
        out.flush()
        return subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )


def wait_ready(process: subprocess.Popen[bytes], url: str, log: Path, limit: float) -> None:
    """Poll the endpoint until it answers; fail if the process dies or the limit passes."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"server exited with {process.returncode}; log {log}:\n{tail}")
        status = status_of(url)
        if status == 200:
            return
        if status not in (None, 503):
            raise RuntimeError(f"{url} answers a trivial ASK with {status}; log {log}")
        time.sleep(0.1)
    raise RuntimeError(f"server at {url} not ready after {limit:.0f} s; log {log}")


@contextmanager
def running(name: str, cmd: list[str], url: str, log: Path, limit: float) -> Iterator[Server]:
    """Run a server from launch to a ready endpoint, sampling its memory; stop it on exit."""
    started = time.perf_counter()
    process = launch(cmd, log)
    try:
        with Sampler(process.pid) as sampler:
            wait_ready(process, url, log, limit)
            server = Server(name, url, process, sampler, ready_s=time.perf_counter() - started)
            time.sleep(0.3)
            server.idle_rss_mib = sampler.sample()
            server.idle_pss_mib = sampler.pss
            yield server
    finally:
        stop(process)


def timed(cmd: list[str], log: Path, limit: float) -> float:
    """Run a command to completion and return its wall time; fail on error or timeout."""
    started = time.perf_counter()
    process = launch(cmd, log)
    try:
        code = process.wait(timeout=limit)
    finally:
        stop(process)
    if code != 0:
        raise RuntimeError(f"{shlex.join(cmd)} failed with {code}; log {log}")
    return time.perf_counter() - started


def kg_command(data: Path, store: Path, port: int, extra: list[str]) -> list[str]:
    """Return the production `kg serve` command line for a data file and a fresh store."""
    kg = Path(sys.executable).with_name("kg")
    return [
        str(kg),
        "serve",
        "--no-article",
        "--data",
        str(data),
        "--store",
        str(store),
        "--host",
        HOST,
        "--port",
        str(port),
        *extra,
    ]


@contextmanager
def kg(name: str, data: Path, work: Path, extra: list[str], limit: float) -> Iterator[Server]:
    """Load the data into a fresh on-disk store with `kg serve --data` and serve it."""
    store = fresh(work / f"store-{name}")
    port = free_port()
    cmd = kg_command(data, store, port, extra)
    with running(name, cmd, f"http://{HOST}:{port}/sparql", work / f"{name}.log", limit) as srv:
        srv.notes.append("load_s is launch to first answer (bulk load inside kg serve)")
        srv.store = store
        yield srv


def oxigraph_load(data: Path, location: Path, log: Path, limit: float) -> float:
    """Load a data file into a fresh store directory with `oxigraph load`; return the seconds."""
    binary = str(Path(sys.executable).with_name("oxigraph"))
    return timed([binary, "load", "--location", str(location), "--file", str(data)], log, limit)


@contextmanager
def floor(data: Path, work: Path, workers: int, limit: float) -> Iterator[Server]:
    """Serve the data with the floor server (bench/floor.py) under gunicorn's sync workers."""
    location = fresh(work / "store-floor")
    log = work / "floor.log"
    load_s = oxigraph_load(data, location, log, limit)
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    cmd = [
        "env", f"FLOOR_STORE={location}", gunicorn, "-k", "sync", "-w", str(workers),
        "-b", f"{HOST}:{port}", "--chdir", str(HERE.parent), "bench.floor:app",
    ]  # fmt: skip
    with running("floor", cmd, f"http://{HOST}:{port}/sparql", log, limit) as srv:
        srv.load_s = load_s
        srv.ready_s += load_s
        srv.store = location
        yield srv


BARE = """
import signal, sys
from pyoxigraph import QueryResultsFormat, Store
store = Store.read_only(sys.argv[1])
store.query(sys.argv[2]).serialize(format=QueryResultsFormat.JSON)
print("ready", flush=True)
signal.pause()
"""


def bare_store_memory(store: Path, query: str) -> dict[str, float]:
    """Measure a bare Python process holding the store read-only after one query (MiB)."""
    process = subprocess.Popen(
        [sys.executable, "-c", BARE, str(store), query],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        process.stdout.readline()
        time.sleep(0.3)
        with Sampler(process.pid) as sampler:
            sampler.sample()
            return {"idle_rss_mib": sampler.peak_rss, "idle_pss_mib": sampler.pss}
    finally:
        stop(process)


@contextmanager
def oxigraph(data: Path, work: Path, limit: float) -> Iterator[Server]:
    """Load the data with `oxigraph load` into a fresh directory, then `oxigraph serve` it."""
    binary = str(Path(sys.executable).with_name("oxigraph"))
    location = fresh(work / "store-oxigraph")
    log = work / "oxigraph.log"
    load_s = oxigraph_load(data, location, log, limit)
    port = free_port()
    cmd = [binary, "serve", "--location", str(location), "--bind", f"{HOST}:{port}"]
    with running("oxigraph", cmd, f"http://{HOST}:{port}/query", log, limit) as srv:
        srv.load_s = load_s
        srv.ready_s += load_s
        yield srv


def ensure_rdflib_venv(log: Path) -> Path:
    """Create the separate virtualenv holding rdflib-endpoint on first use; return its binary."""
    binary = RDFLIB_VENV / "bin" / "rdflib-endpoint"
    if not binary.exists():
        print(f"creating {RDFLIB_VENV} with {RDFLIB_ENDPOINT} (first use only)", flush=True)
        timed([sys.executable, "-m", "venv", "--clear", str(RDFLIB_VENV)], log, 300)
        pip = str(RDFLIB_VENV / "bin" / "pip")
        timed([pip, "install", "--quiet", RDFLIB_ENDPOINT], log, 900)
    return binary


@contextmanager
def rdflib_endpoint(data: Path, work: Path, limit: float) -> Iterator[Server]:
    """Serve the data with rdflib-endpoint (parsed into memory at start)."""
    log = work / "rdflib.log"
    binary = ensure_rdflib_venv(log)
    port = free_port()
    cmd = [str(binary), "serve", str(data), "--host", HOST, "--port", str(port)]
    with running("rdflib", cmd, f"http://{HOST}:{port}/", log, limit) as srv:
        srv.notes.append("load_s is launch to first answer (rdflib parse inside the server)")
        yield srv


def fresh(path: Path) -> Path:
    """Return an empty directory path (removing what a previous run left)."""
    if path.exists():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path
