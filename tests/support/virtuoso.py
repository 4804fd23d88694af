"""Start a real Virtuoso (Debian's ``virtuoso-opensource`` 7.2) on free loopback ports.

The server runs in the foreground in its own process group, with its own database directory and
an ini copied from the package's, so nothing outside the test's directory is touched. The set-up
the README gives for production (``scripts/virtuoso-setup.sql``) is applied the same way here.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import requests

from support.oxigraph import free_port

PACKAGE_INI = Path("/usr/share/virtuoso-opensource-7/virtuoso.ini")
"""The ini the package ships (its postinst copies it to /etc, where an admin may change it)."""
SETUP_SQL = Path(__file__).resolve().parents[2] / "scripts" / "virtuoso-setup.sql"
DBA_PASSWORD = "dba"
"""The password of a fresh database's ``dba`` (loopback only, thrown away after the session)."""

ROWS = 10_000_000
"""Result rows Virtuoso may return (its package default, 10,000, silently truncates answers)."""


def virtuoso_binaries() -> tuple[str, str]:
    """Return the paths of ``virtuoso-t`` and ``isql-vt`` (scripts/system-deps.sh installs them)."""
    server, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if server is None or isql is None or not PACKAGE_INI.exists():
        raise RuntimeError(
            "Virtuoso is not installed: bash scripts/system-deps.sh installs virtuoso-opensource"
        )
    return server, isql


def configured(ini: str, settings: dict[str, dict[str, str | None]]) -> str:
    """Return an ini text with keys of its sections set (added when missing; None removes them)."""
    lines: list[str] = []
    section = ""
    pending: dict[str, str | None] = {}

    def flush() -> None:
        lines.extend(f"{key} = {value}" for key, value in pending.items() if value is not None)

    for line in ini.splitlines():
        header = re.match(r"\s*\[(.+)\]", line)
        if header:
            flush()
            section = header.group(1)
            pending = dict(settings.get(section, {}))
        else:
            key = re.match(r"\s*([A-Za-z_0-9]+)\s*=", line)
            if key and key.group(1) in settings.get(section, {}):
                value = pending.pop(key.group(1), None)
                if value is None:
                    continue  # removed, or a repeated key already set above
                line = f"{key.group(1)} = {value}"
        lines.append(line)
    flush()
    return "\n".join(lines) + "\n"


@dataclass
class VirtuosoServer:
    """A ``virtuoso-t +foreground`` process over one database directory."""

    directory: Path
    port: int = field(default_factory=free_port)
    sql_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    tuning: dict[str, dict[str, str | None]] = field(default_factory=dict)
    """More ini settings by section (the benchmark gives Virtuoso the memory of a real server)."""

    @property
    def url(self) -> str:
        """Return the HTTP server's base URL (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def sparql_url(self) -> str:
        """Return the anonymous SPARQL endpoint (queries, and updates once granted)."""
        return self.url + "/sparql"

    @property
    def sparql_auth_url(self) -> str:
        """Return the SPARQL endpoint that asks for Digest authentication."""
        return self.url + "/sparql-auth"

    @property
    def ini(self) -> Path:
        """Return the server's own configuration file."""
        return self.directory / "virtuoso.ini"

    def write_ini(self) -> None:
        """Write the package's ini with every file, port and limit moved to this server."""
        files = {
            name: str(self.directory / f"virtuoso{suffix}")
            for name, suffix in [
                ("DatabaseFile", ".db"),
                ("ErrorLogFile", ".log"),
                ("LockFile", ".lck"),
                ("TransactionFile", ".trx"),
                ("xa_persistent_file", ".pxa"),
            ]
        }
        no_vad = self.directory / "vad"
        no_vad.mkdir(exist_ok=True)
        settings: dict[str, dict[str, str | None]] = {
            "Database": {**files},
            "TempDatabase": {
                "DatabaseFile": str(self.directory / "virtuoso-temp.db"),
                "TransactionFile": str(self.directory / "virtuoso-temp.trx"),
            },
            "Parameters": {
                "ServerPort": f"127.0.0.1:{self.sql_port}",
                # The package installs its Conductor (a web admin and 3,000 triples of its own)
                # on first start from here; an empty folder starts the server 3 s sooner.
                "VADInstallDir": f"{no_vad}/",
                "DirsAllowed": f"., {self.directory}",
                # kg's row cap asks for cap + 1 rows; the package's 10,000 fails any ORDER BY
                # with a larger LIMIT ("SR353: Sorted TOP clause specifies more then …").
                "MaxSortedTopRows": str(ROWS),
            },
            "HTTPServer": {"ServerPort": f"127.0.0.1:{self.port}"},
            # kg's deadline bounds every query: Virtuoso's own limits would only refuse some early
            # (its cost guess put a page's query, answered at once, at 11,225,901 s).
            "SPARQL": {
                "ResultSetMaxRows": str(ROWS),
                "MaxQueryExecutionTime": "0",
                "MaxQueryCostEstimationTime": "0",
            },
            # The plugins are wiki renderers nothing here uses.
            "Plugins": {f"Load{n}": None for n in (1, 2, 3, 5)},
        }
        for section, values in self.tuning.items():
            settings[section] = {**settings.get(section, {}), **values}
        text = configured(PACKAGE_INI.read_text(encoding="utf-8"), settings)
        self.ini.write_text(text, encoding="utf-8")

    def start(self, timeout: float = 60.0) -> VirtuosoServer:
        """Start the server, wait until /sparql answers, and apply the set-up on a new database."""
        server, _ = virtuoso_binaries()
        self.directory.mkdir(parents=True, exist_ok=True)
        fresh = not (self.directory / "virtuoso.db").exists()
        self.write_ini()
        self.process = subprocess.Popen(
            [server, "+foreground", "+configfile", str(self.ini)],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        probe = self.sparql_url + "?query=ASK%7B%7D"
        while True:
            if self.process.poll() is not None:
                code = self.process.returncode
                raise RuntimeError(f"virtuoso-t exited with {code}:\n{self.log()}")
            try:
                with urllib.request.urlopen(probe, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise
            time.sleep(0.2)
        if fresh:
            self.isql(SETUP_SQL.read_text(encoding="utf-8"))
        return self

    def isql(self, statements: str) -> str:
        """Run SQL statements as dba through isql-vt; fail on the first error."""
        _, isql = virtuoso_binaries()
        done = subprocess.run(
            [isql, f"127.0.0.1:{self.sql_port}", "dba", DBA_PASSWORD],
            input=statements,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql-vt failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def graphs(self) -> list[str]:
        """List the graphs anonymous readers see (none on a new database after the set-up)."""
        response = requests.get(
            self.sparql_url,
            params={"query": "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=60,
        )
        response.raise_for_status()
        return [row["g"]["value"] for row in response.json()["results"]["bindings"]]

    def drop_all(self) -> None:
        """Drop every graph a test left, so the next one starts from an empty store.

        Through isql without the transaction log: SPARQL DROP takes 20 s for 600,000 triples.
        """
        cleared = "".join(f"SPARQL CLEAR GRAPH <{graph}>;\n" for graph in self.graphs())
        if cleared:
            self.isql("log_enable(3,1);\n" + cleared + "checkpoint;\n")

    def log(self) -> str:
        """Return the end of the server's error log."""
        path = self.directory / "virtuoso.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop(self) -> None:
        """Stop the server (SIGTERM lets it checkpoint; SIGKILL its group after 30 s)."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
