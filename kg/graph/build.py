"""Build a store from the shipped files: in memory, or on disk built once and reopened.

The data files are the source of truth and the store a cache of them: an on-disk store carries a
fingerprint of the files it was built from and is rebuilt when they change.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from pyoxigraph import NamedNode, Store
from tqdm import tqdm

from kg import iris
from kg.graph.materialise import materialise
from kg.graph.sources import DataError, Source, all_sources
from kg.graph.void import describe
from kg.resources import DATA_DIR

FINGERPRINT_FILE = "kg-fingerprint"
FINGERPRINT_VERSION = b"kg-build 2\n"
"""Part of every fingerprint: a new version rebuilds stores that an older build made."""


def fingerprint(sources: Sequence[Source]) -> str:
    """Return a digest of the files, their formats and target graphs, in load order."""
    digest = hashlib.sha256(FINGERPRINT_VERSION)
    for source in sources:
        digest.update(
            f"{source.path}\0{source.format.name}\0{source.graph}\0{source.base}\0".encode()
        )
        digest.update(source.path.read_bytes())
    return digest.hexdigest()


def load(store: Store, sources: Sequence[Source], *, progress: bool = False) -> None:
    """Bulk-load every source, failing with the file (and line, for syntax errors) named."""
    total = sum(source.path.stat().st_size for source in sources)
    with tqdm(total=total, unit="B", unit_scale=True, desc="loading", disable=not progress) as bar:
        for source in sources:
            bar.set_postfix_str(source.path.name)
            load_one(store, source)
            bar.update(source.path.stat().st_size)
    if any(source.graph == iris.ONTOLOGY_GRAPH for source in sources):
        # The project's own graph gets its statements, entailments and description (VoID,
        # service description); other data is loaded as it is.
        materialise(store)
        describe(store)


def load_one(store: Store, source: Source) -> None:
    """Bulk-load one file into the store."""
    target = NamedNode(source.graph) if source.graph else None
    try:
        store.bulk_load(
            path=source.path, format=source.format, to_graph=target, base_iri=source.base
        )
    except SyntaxError as error:
        line = f":{error.lineno}" if error.lineno else ""
        raise DataError(f"{source.path}{line}: {error.msg}") from None
    except (OSError, ValueError) as error:
        raise DataError(f"{source.path}: {error}") from None


def open_store(
    path: Path | None = None,
    *,
    include_article: bool = True,
    include_drafts: bool = False,
    extra: Sequence[Path] = (),
    progress: bool = False,
    data_dir: Path = DATA_DIR,
    base: str | None = None,
) -> Store:
    """Return a store holding the graph: in memory, or on disk at path (built once, reopened).

    ``include_article=False`` leaves out every shipped layer and loads only ``extra``, whose
    relative IRIs resolve against ``base`` (else each file's own IRI); draft articles are loaded
    only with ``include_drafts`` (for ``kg validate``), never served.
    """
    sources = all_sources(
        data_dir,
        include_article=include_article,
        include_drafts=include_drafts,
        extra=extra,
        base=base,
    )
    if path is None:
        store = Store()
        load(store, sources, progress=progress)
        return store
    return open_on_disk(Path(path), sources, progress=progress)


def open_on_disk(path: Path, sources: Sequence[Source], *, progress: bool) -> Store:
    """Reopen the store at path, rebuilding it first when its files have changed."""
    wanted = fingerprint(sources)
    marker = path / FINGERPRINT_FILE
    store = Store(str(path))
    if marker.is_file() and marker.read_text(encoding="ascii") == wanted:
        return store
    marker.unlink(missing_ok=True)
    store.clear()
    load(store, sources, progress=progress)
    store.flush()
    marker.write_text(wanted, encoding="ascii")
    return store


def open_existing(path: Path) -> Store:
    """Open a store someone already built or wrote to, without rebuilding it."""
    if not (Path(path) / "CURRENT").is_file():
        raise DataError(f"{path}: no store here; build one with `kg build --store {path}`")
    return Store(str(path))


__all__ = ["DataError", "open_existing", "open_store"]
