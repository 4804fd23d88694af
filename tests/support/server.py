"""Start a real ``kg serve`` process on a free loopback port and wait until it answers."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field

READY = "SPARQL endpoint: "


@dataclass
class ServerProcess:
    """A running ``kg serve``: its base URL (no trailing slash) and everything it printed."""

    url: str
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    @property
    def sparql(self) -> str:
        """Return the SPARQL endpoint URL."""
        return self.url + "/sparql"

    def kill_group(self) -> None:
        """SIGKILL every process of the server's group (as a crash or an OOM kill would)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s) and release its pipe."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        # Whatever the server left behind (a query worker, a writer) goes with its group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.reader is not None:
            self.reader.join(timeout=5)
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_server(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60.0
) -> ServerProcess:
    """Run ``kg serve --port 0 ARGS`` and return once its endpoint answers a query.

    ``env`` adds to (or overrides) the current environment; ``KG_*`` variables set by the caller's
    shell are removed first so a developer's settings cannot leak into a test.
    """
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KG_")}
    environment.update(env or {})
    command = [sys.executable, "-c", "from kg.cli import main; main()", "serve", "--port", "0"]
    process = subprocess.Popen(
        [*command, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
        # Its own process group, so stop() and crash tests reach every process it forks,
        # including ones forked after a listing of its children was taken.
        start_new_session=True,
    )
    lines: queue.Queue[str | None] = queue.Queue()
    server = ServerProcess("", process)
    server.reader = threading.Thread(
        target=_pump, args=(process, server.output, lines), daemon=True
    )
    server.reader.start()
    try:
        server.url = _wait_for_url(lines, timeout).removesuffix("/sparql")
        _wait_until_answering(server, timeout)
    except BaseException:
        server.stop()
        raise
    return server


def _pump(
    process: subprocess.Popen[str], output: list[str], lines: queue.Queue[str | None]
) -> None:
    """Copy the server's output lines to a list (for diagnostics) and a queue (for the start-up)."""
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line)
        lines.put(line)
    lines.put(None)


def _wait_for_url(lines: queue.Queue[str | None], timeout: float) -> str:
    """Return the endpoint URL the server prints once its socket is bound."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=deadline - time.monotonic())
        except queue.Empty:
            break
        if line is None:
            raise RuntimeError("kg serve exited before serving:\n" + "".join(seen))
        seen.append(line)
        if line.startswith(READY):
            return line[len(READY) :].strip()
    raise TimeoutError(f"kg serve printed no URL within {timeout} s:\n" + "".join(seen))


def _wait_until_answering(server: ServerProcess, timeout: float) -> None:
    """Poll the endpoint with ASK {} until it answers 200."""
    deadline = time.monotonic() + timeout
    probe = server.sparql + "?query=ASK%7B%7D"
    while True:
        try:
            with urllib.request.urlopen(probe, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.1)
