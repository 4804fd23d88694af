"""Tools of the attack suite: loopback clients from chosen addresses, probes, memory of a group.

Attackers connect from 127.0.0.2 and up, the probing "normal client" from 127.0.0.1, so the
server tells them apart as it would tell apart two hosts. Every address is in 127.0.0.0/8.
"""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

NORMAL = "127.0.0.1"
ATTACKER = "127.0.0.2"
ASK_WITHIN = 2.0
"""Seconds a normal client's ASK {} may take while an attack runs (the issue's bound)."""


def port_of(url: str) -> int:
    """Return the port of a loopback URL."""
    port = urllib.parse.urlsplit(url).port
    assert port is not None
    return port


def connect(url: str, source: str = ATTACKER, timeout: float = 10.0) -> socket.socket:
    """Open a TCP connection to the server from a chosen loopback address."""
    sock = socket.socket()
    sock.settimeout(timeout)
    sock.bind((source, 0))
    sock.connect(("127.0.0.1", port_of(url)))
    return sock


@dataclass
class Answer:
    """A response read whole: status, headers (lower-case names), body and time taken."""

    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def request(
    url: str,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    source: str = NORMAL,
    timeout: float = 30.0,
) -> Answer:
    """Send one request from a chosen address on a new connection and read the answer."""
    parts = urllib.parse.urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    started = time.monotonic()
    conn = http.client.HTTPConnection(
        "127.0.0.1", parts.port, timeout=timeout, source_address=(source, 0)
    )
    try:
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        found = {k.lower(): v for k, v in response.getheaders()}
        return Answer(response.status, found, data, time.monotonic() - started)
    finally:
        conn.close()


def ask(sparql: str, source: str = NORMAL, timeout: float = 30.0) -> Answer:
    """Ask ASK {} as a normal client would."""
    return request(sparql + "?query=ASK%7B%7D", source=source, timeout=timeout)


@dataclass
class Probe:
    """A normal client asking ASK {} in a loop, on a thread, recording every answer's time."""

    sparql: str
    every: float = 0.25
    times: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> Probe:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout=60)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                answer = ask(self.sparql, timeout=20)
                self.times.append(answer.seconds)
                if answer.status != 200:
                    self.failures.append(f"{answer.status} {answer.body[:200]!r}")
            except OSError as error:
                self.failures.append(repr(error))
            self._stop.wait(self.every)

    def wait_for_answers(self, count: int, within: float) -> None:
        """Wait until the probe has been answered count times, or the time is up."""
        limit = time.monotonic() + within
        while len(self.times) + len(self.failures) < count and time.monotonic() < limit:
            time.sleep(0.05)

    def assert_served(self) -> None:
        """Check the probe asked several times, always answered 200 within ASK_WITHIN."""
        assert not self.failures, self.failures
        assert len(self.times) >= 3, self.times
        assert max(self.times) < ASK_WITHIN, self.times


def read_response(sock: socket.socket, limit: float = 10.0) -> bytes:
    """Read from a socket until the server closes it or the limit passes."""
    sock.settimeout(limit)
    data = b""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    return data


def group_pss_mib(pgid: int) -> float:
    """Return the proportional memory (PSS) of every process in a process group, in MiB."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != pgid:
                continue
            rollup = (entry / "smaps_rollup").read_text()
        except (OSError, ProcessLookupError):
            continue
        for line in rollup.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total / 1024


def sample_peak(measure: Callable[[], float], stop: threading.Event, into: list[float]) -> None:
    """Record the highest value of measure() until stop is set."""
    while not stop.is_set():
        into.append(measure())
        stop.wait(0.05)
