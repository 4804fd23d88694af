"""The releases a running server offers: found on demand, each queried through its own store.

A release's store is loaded in memory from its N-Quads file the first time it is queried, and
wrapped in the same services as the live data (preparation, deadline, streaming, row cap), so a
query keeps its answer whatever the live data becomes.
"""

from __future__ import annotations

import threading
from pathlib import Path

from pyoxigraph import Quad, RdfFormat, Store

from kg.errors import NotFound
from kg.execution.embedded import EmbeddedBackend
from kg.pipeline import Services
from kg.release import names
from kg.release.catalog import Catalog, Release
from kg.release.history import History

NO_RELEASE = "no release yet; make one with `kg release VERSION`"


class Releases:
    """The releases of one folder as a server offers them, with each one's query services."""

    def __init__(self, root: Path, live: Services) -> None:
        self.catalog = Catalog(root)
        self.live = live
        self._services: dict[str, Services] = {}
        self._history: History | None = None
        self._lock = threading.Lock()

    def find(self, version: str) -> Release:
        """Return a release (``latest``: the newest), or a 404 naming the releases there are."""
        if version == names.LATEST:
            newest = self.catalog.latest()
            if newest is None:
                raise NotFound(NO_RELEASE)
            return newest
        found = self.catalog.find(version)
        if found is None:
            known = ", ".join(r.version for r in self.catalog.releases()) or "none yet"
            raise NotFound(f"no release {version!r}; releases: {known} (listed at /release/)")
        return found

    def services(self, version: str) -> Services:
        """Return the query services over one release, loading its store the first time."""
        release = self.find(version)
        with self._lock:
            found = self._services.get(release.version)
            if found is None:
                found = self._services[release.version] = self._open(release)
        return found

    def _open(self, release: Release) -> Services:
        """Load a release's dataset into its own store, served like the live one."""
        store = Store()
        store.bulk_load(path=release.file(names.DATASET_NQUADS), format=RdfFormat.N_QUADS)
        settings = self.live.settings.replace(write_token=None)
        backend = EmbeddedBackend.from_settings(settings, store)
        return Services(settings, backend, self.live.live)

    def generation(self) -> int:
        """Return a number that changes whenever a release is published or removed.

        Publishing renames a finished folder into the releases folder (``kg release``), which
        changes the folder's modification time; one ``stat`` per request, no listing.
        """
        try:
            return self.catalog.root.stat().st_mtime_ns
        except OSError:
            return 0

    def since(self, quad: Quad) -> str | None:
        """Return the release since which a statement is in every release, or None."""
        chain = self.catalog.chain()
        with self._lock:
            if self._history is None or self._history.chain != chain:
                self._history = History(chain)
            history = self._history
        return history.since(quad)
