"""Start a real ``oxigraph serve`` (the PyPI package ``oxigraph``) on a free loopback port."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

QUERY_TIMEOUT_S = 30


def oxigraph_binary() -> str:
    """Return the ``oxigraph`` executable installed beside this Python (or on the PATH)."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise RuntimeError("no oxigraph binary: pip install -e '.[dev]' installs it")
    return found


def free_port() -> int:
    """Return a loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class OxigraphServer:
    """An ``oxigraph serve`` process over one on-disk location (union default graph unless not)."""

    location: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    union: bool = True
    timeout_s: int | None = QUERY_TIMEOUT_S
    """oxigraph's own query bound; the benchmark goes without: 0.5.13 starts a thread per query
    for it and, at thousands of queries a second, panics for want of thread stacks."""

    @property
    def url(self) -> str:
        """Return the server's base URL (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        """Return the SPARQL query endpoint."""
        return self.url + "/query"

    @property
    def update_url(self) -> str:
        """Return the SPARQL update endpoint."""
        return self.url + "/update"

    def start(self, timeout: float = 30.0) -> OxigraphServer:
        """Start the server (again, on the same port and location) and wait until it answers."""
        command = [
            oxigraph_binary(),
            "serve",
            "--location",
            str(self.location),
            "--bind",
            f"127.0.0.1:{self.port}",
            *(["--union-default-graph"] if self.union else []),
        ]
        if self.timeout_s is not None:
            # A bound on every query, so a test that walks away from one never leaves it running.
            command += ["--timeout-s", str(self.timeout_s)]
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        probe = self.query_url + "?query=ASK%7B%7D"
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"oxigraph serve exited with {self.process.returncode}")
            try:
                with urllib.request.urlopen(probe, timeout=2) as response:
                    if response.status == 200:
                        return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
            time.sleep(0.1)

    def kill(self) -> None:
        """Kill the server at once, as a crash or a lost machine would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()


def kg_build_into(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real ``kg build --into URL ARGS`` and return what it printed (it must succeed)."""
    command = [sys.executable, "-c", "from kg.cli import main; main()", "build", "--into", url]
    done = subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"kg build --into failed:\n{done.stdout}{done.stderr}")
    return done
