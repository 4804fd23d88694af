"""One writer per store directory, as PostgreSQL has one postmaster per data directory.

A server that accepts writes holds an exclusive lock on ``DIR/kg-serve.lock`` for its lifetime
and writes who it is into the file; a read-only server holds a shared lock. So a second server
is refused while a writer runs (its readers would see stale data, and pyoxigraph forbids reading
a store that another process writes), and a writer is refused while anyone else serves it.
"""

from __future__ import annotations

import fcntl
import os
import socket
import time
from pathlib import Path
from typing import IO

LOCK_FILE = "kg-serve.lock"


class StoreLocked(Exception):
    """Another server holds the store directory."""


class StoreLock:
    """The lock a serving process holds on its store directory until it exits."""

    def __init__(self, path: Path, *, exclusive: bool) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path / LOCK_FILE
        self.exclusive = exclusive
        self.file: IO[str] = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        try:
            fcntl.flock(self.file, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            message = self.refusal()
            self.file.close()
            raise StoreLocked(message) from None
        self.describe("starting")

    def writer_holds(self) -> bool:
        """Tell whether the lock in the way is a writer's (a shared lock cannot be had)."""
        try:
            fcntl.flock(self.file, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(self.file, fcntl.LOCK_UN)
        return False

    def refusal(self) -> str:
        """Say why this server may not start, naming the one in the way."""
        store = self.path.parent
        if not self.writer_holds():
            return (
                f"the store {store} is served by another, read-only kg serve; stop it before "
                "serving the store with writes"
            )
        self.file.seek(0)
        holder = self.file.read().strip() or "a process that did not say who it is"
        return f"the store {store} is held by another server that accepts writes: {holder}"

    def describe(self, url: str) -> None:
        """Write who holds the lock (a writer only), for the message of a refused server."""
        if not self.exclusive:
            return
        started = time.strftime("%Y-%m-%d %H:%M:%S %z")
        text = f"kg serve, pid {os.getpid()} on {socket.gethostname()}, {url}, since {started}"
        self.file.seek(0)
        self.file.truncate()
        self.file.write(text + "\n")
        self.file.flush()
