"""``kg release VERSION``: build and check the graph, then write the release whole or not at all.

Everything is written into a hidden ``.partial-VERSION-*`` folder beside the releases, flushed
to disk, made read-only, then renamed to ``VERSION`` in one step: a failure (bad data, a full
disk, Ctrl-C) removes the partial folder, and a release folder that exists is always complete.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad, RdfFormat, Store, Triple, parse, serialize

from kg import iris
from kg.graph.build import open_store
from kg.graph.sources import DataError
from kg.graph.validate import validate
from kg.jsonld import compact
from kg.release import names
from kg.release.canonical import canonical_quads, line, nquads
from kg.release.catalog import Catalog, Release, checksums_text, read_release, sha256_of
from kg.release.describe import (
    FileFacts,
    ReleaseFacts,
    description_turtle,
    stamp_ontology,
    turtle,
    used_prefixes,
)
from kg.release.patch import GraphChange, diff, write_patch
from kg.release.summary import notes, render, summarize
from kg.resources import DATA_DIR

READ_ONLY_FILE = 0o444
READ_ONLY_FOLDER = 0o555


@dataclass(frozen=True)
class Published:
    """A release just written, the changes it records and how long it took."""

    release: Release
    changes: dict[str, GraphChange]
    seconds: float


def built_quads(data_dir: Path) -> list[Quad]:
    """Build the graph from the data files and check it; return every quad but the VoID graph.

    The VoID graph is left out: it describes the live build (with its build time), and the
    release's own description takes its place.
    """
    try:
        store = open_store(data_dir=data_dir)
    except DataError as error:
        raise names.ReleaseError(f"cannot build the graph: {error.message}") from None
    problems = validate(store, data_dir=data_dir)
    if problems:
        listed = "\n".join(f"  {problem}" for problem in problems)
        raise names.ReleaseError(
            f"the graph fails {len(problems)} check(s); nothing was written:\n{listed}"
        )
    void = NamedNode(iris.VOID_GRAPH)
    return [quad for quad in store if quad.graph_name != void]


def release_quads(release: Release) -> list[Quad]:
    """Read a written release's dataset, with its blank nodes labelled canonically again."""
    path = release.file(names.DATASET_NQUADS)
    return canonical_quads(parse(path=path, format=RdfFormat.N_QUADS))


def store_of(quads: list[Quad]) -> Store:
    """Return an in-memory store holding the quads."""
    store = Store()
    store.extend(quads)
    return store


def previous_release(catalog: Catalog, previous: str | None) -> Release | None:
    """Return the release this one follows: the one named, else the newest one."""
    if previous is None:
        return catalog.latest()
    found = catalog.find(names.check_version(previous))
    if found is None:
        raise names.ReleaseError(f"no release {previous!r} in {catalog.root}")
    return found


def publish(
    version: str,
    root: Path,
    *,
    data_dir: Path = DATA_DIR,
    previous: str | None = None,
    issued: datetime | None = None,
) -> Published:
    """Build, check, compare with the previous release, and write release ``root/version``."""
    started = time.perf_counter()
    names.check_version(version)
    target = root / version
    if target.exists():
        raise names.ReleaseError(
            f"{target} already exists: a release never changes once written; "
            "give the new one another version"
        )
    before = previous_release(Catalog(root), previous)
    prior = before.version if before else None
    quads = canonical_quads(stamp_ontology(built_quads(data_dir), version, prior))
    old = release_quads(before) if before else []
    changes = diff((line(q) for q in old), (line(q) for q in quads))
    sections = summarize(store_of(old) if before else None, store_of(quads))
    stamp = (issued or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    when = stamp.isoformat().replace("+00:00", "Z")
    files: dict[str, bytes | Callable[[], bytes]] = {
        names.DATASET_NQUADS: nquads(quads).encode(),
        names.DATASET_TRIG: lambda: trig(quads),
        names.DATASET_TURTLE: lambda: union_turtle(quads),
        names.DATASET_JSONLD: lambda: stable_jsonld(compact(nquads(quads).encode())),
        names.ONTOLOGY_FILE: lambda: ontology_turtle(quads),
        names.PATCH_FILE: write_patch(
            changes, names.release_iri(version), names.release_iri(prior) if prior else None
        ).encode(),
        names.SUMMARY_FILE: render(
            sections, changes, version=version, previous=prior, issued=when
        ).encode(),
    }
    facts = ReleaseFacts(version, when, prior, notes(sections, changes), quads, [])
    write_release(root, target, files, facts)
    return Published(read_release(target), changes, time.perf_counter() - started)


def trig(quads: list[Quad]) -> bytes:
    """Serialize the dataset as TriG, graph by graph, with the release prefixes."""
    by_graph = sorted(quads, key=lambda q: (str(q.graph_name), line(q)))
    return serialize(by_graph, format=RdfFormat.TRIG, prefixes=used_prefixes(quads)) or b""


def stable_jsonld(document: bytes) -> bytes:
    """Return JSON-LD with its keys and unordered arrays sorted, so equal data reads equal.

    The compaction's own order follows Python's hash seed; ``@list`` arrays keep their order.
    """
    return json.dumps(sorted_json(json.loads(document)), indent=2, ensure_ascii=False).encode()


def sorted_json(value: Any, ordered: bool = False) -> Any:
    """Sort the keys of objects and the members of arrays that are not @list."""
    if isinstance(value, dict):
        return {key: sorted_json(value[key], key == "@list") for key in sorted(value)}
    if isinstance(value, list):
        members = [sorted_json(member) for member in value]
        return members if ordered else sorted(members, key=lambda m: json.dumps(m, sort_keys=True))
    return value


def union_turtle(quads: list[Quad]) -> bytes:
    """Serialize the union of all graphs as Turtle."""
    return turtle(dict.fromkeys(Triple(q.subject, q.predicate, q.object) for q in quads))


def ontology_turtle(quads: list[Quad]) -> bytes:
    """Serialize the ontology graph of the release as Turtle."""
    graph = NamedNode(iris.ONTOLOGY_GRAPH)
    return turtle(Triple(q.subject, q.predicate, q.object) for q in quads if q.graph_name == graph)


def write_release(
    root: Path,
    target: Path,
    files: dict[str, bytes | Callable[[], bytes]],
    facts: ReleaseFacts,
) -> None:
    """Write every file into a partial folder, then rename it into place; on failure, remove it."""
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".partial-{target.name}-", dir=root))
    try:
        described = []
        for name, content in files.items():
            path = staging / name
            write_durably(path, content if isinstance(content, bytes) else content())
            described.append(FileFacts(name, path.stat().st_size, sha256_of(path)))
        facts = ReleaseFacts(
            facts.version, facts.issued, facts.previous, facts.notes, facts.quads, described
        )
        write_durably(staging / names.DESCRIPTION_FILE, description_turtle(facts))
        sums = {name: sha256_of(staging / name) for name in [*files, names.DESCRIPTION_FILE]}
        write_durably(staging / names.CHECKSUMS_FILE, checksums_text(sums).encode())
        for path in staging.iterdir():
            path.chmod(READ_ONLY_FILE)
        if target.exists():
            raise names.ReleaseError(f"{target} appeared while this release was being written")
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    target.chmod(READ_ONLY_FOLDER)
    sync_folder(root)


def write_durably(path: Path, content: bytes) -> None:
    """Write a file and flush it to disk before going on."""
    with path.open("xb") as stream:
        stream.write(content)
        stream.flush()
        os.fsync(stream.fileno())


def sync_folder(path: Path) -> None:
    """Flush a folder's entries (a rename into it) to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
