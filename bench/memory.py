"""Resident memory of a process tree, read from /proc and sampled in a background thread."""

from __future__ import annotations

import os
import threading
from pathlib import Path

PROC = Path("/proc")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """List a process and all its descendants (the ones alive now)."""
    found: list[int] = []
    pending = [pid]
    while pending and len(found) < 1000:
        current = pending.pop()
        found.append(current)
        for task in (PROC / str(current) / "task").glob("*/children"):
            try:
                pending.extend(int(child) for child in task.read_text().split())
            except OSError:
                continue
    return found


def field_kib(path: Path, name: str) -> int:
    """Read one "Name:  123 kB" field of a /proc status-like file, 0 when gone."""
    try:
        for line in path.read_text().splitlines():
            if line.startswith(name):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return 0


def tree_cpu_s(pid: int) -> float:
    """Return the CPU seconds (user and system) a process tree has used, reaped children too."""
    ticks = 0
    for process in tree(pid):
        try:
            fields = (PROC / str(process) / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += sum(int(value) for value in fields[11:15])
    return ticks / CLOCK_TICKS


def tree_rss_mib(pid: int) -> float:
    """Return the summed resident set size of a process tree in MiB."""
    return sum(field_kib(PROC / str(p) / "status", "VmRSS:") for p in tree(pid)) / 1024


def tree_pss_mib(pid: int) -> float:
    """Return the summed proportional set size (shared pages split between sharers) in MiB."""
    return sum(field_kib(PROC / str(p) / "smaps_rollup", "Pss:") for p in tree(pid)) / 1024


class Sampler:
    """Sample a process tree's RSS and PSS every interval until stopped; keep the peaks."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.peak_rss = 0.0
        self.peak_pss = 0.0
        self.pss = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"rss-{pid}", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> float:
        """Take one sample now and return the RSS."""
        rss = tree_rss_mib(self.pid)
        self.pss = tree_pss_mib(self.pid)
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_pss = max(self.peak_pss, self.pss)
        return rss

    def reset(self) -> None:
        """Forget the peaks so far (to measure the growth caused by one request)."""
        self.peak_rss = self.peak_pss = 0.0

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
