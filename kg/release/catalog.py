"""The releases found in a folder: each one's version, date, predecessor and checksummed files.

A release folder is recognised by its ``SHA256SUMS`` and ``description.ttl``; anything else in
the folder (a half-written ``.partial-*`` folder left by a killed run, a README) is ignored.
Releases are ordered by issue date, and a release after the one it names as previous when two
share a date.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, RdfFormat, Triple, parse

from kg.release import names
from kg.release.describe import CONCEPT, typed
from kg.vocab import DCAT, DCTERMS, RDF_TYPE

CHUNK = 1024 * 1024

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Release:
    """One written release: where it is, what it is called, when and after what it came."""

    version: str
    path: Path
    issued: str
    previous: str | None
    checksums: dict[str, str]
    """SHA-256 of every file but the checksums file itself, by file name."""

    def file(self, name: str) -> Path:
        """Return the path of one of the release's files."""
        return self.path / name

    @property
    def files(self) -> list[str]:
        """List the release's files, the checksums file last."""
        return [*sorted(self.checksums), names.CHECKSUMS_FILE]


def sha256_of(path: Path) -> str:
    """Return the SHA-256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def checksums_text(sums: dict[str, str]) -> str:
    """Return a checksums file in the format ``sha256sum --check`` reads."""
    return "".join(f"{sums[name]}  {name}\n" for name in sorted(sums))


def read_checksums(path: Path) -> dict[str, str]:
    """Read a ``sha256sum`` file into file name -> digest."""
    sums = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise names.ReleaseError(f"{path}: not a sha256sum line: {line!r}")
        sums[name] = digest
    return sums


def read_release(path: Path) -> Release:
    """Read a release folder's description and checksums."""
    version = path.name
    subject = NamedNode(names.release_iri(version))
    issued = previous = None
    description = path / names.DESCRIPTION_FILE
    for triple in parse(path=description, format=RdfFormat.TURTLE):
        if triple.subject != subject:
            continue
        if triple.predicate == NamedNode(DCTERMS + "issued") and isinstance(triple.object, Literal):
            issued = triple.object.value
        elif triple.predicate == NamedNode(DCAT + "previousVersion") and isinstance(
            triple.object, NamedNode
        ):
            previous = triple.object.value.removeprefix(names.RELEASE_NS).rstrip("/")
    if issued is None:
        raise names.ReleaseError(f"{description}: no dcterms:issued for <{subject.value}>")
    return Release(version, path, issued, previous, read_checksums(path / names.CHECKSUMS_FILE))


def release_folders(root: Path) -> Iterator[Path]:
    """Yield the folders of a releases folder that hold a release."""
    if not root.is_dir():
        return
    for path in root.iterdir():
        if (
            path.is_dir()
            and names.VERSION_PATTERN.fullmatch(path.name)
            and (path / names.CHECKSUMS_FILE).is_file()
            and (path / names.DESCRIPTION_FILE).is_file()
        ):
            yield path


def ordered(releases: list[Release]) -> list[Release]:
    """Sort releases oldest first: by issue date, then by how long their chain of previous is."""
    by_version = {r.version: r for r in releases}

    def depth(release: Release) -> int:
        seen = {release.version}
        steps = 0
        while release.previous in by_version and release.previous not in seen:
            release = by_version[release.previous]
            seen.add(release.version)
            steps += 1
        return steps

    return sorted(releases, key=lambda r: (r.issued, depth(r), r.version))


class Catalog:
    """The releases of one folder, read once each (a release never changes), found on demand."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._read: dict[str, Release] = {}
        self._lock = threading.Lock()

    def releases(self) -> list[Release]:
        """Return the releases now in the folder, oldest first."""
        found = []
        for path in release_folders(self.root):
            with self._lock:
                release = self._read.get(path.name)
            if release is None:
                try:
                    release = read_release(path)
                except (names.ReleaseError, SyntaxError, OSError) as error:
                    # One damaged folder must not hide the others; it is logged, not served.
                    log.warning("skipping release folder %s: %s", path, error)
                    continue
                with self._lock:
                    self._read[path.name] = release
            found.append(release)
        return ordered(found)

    def latest(self) -> Release | None:
        """Return the newest release, or None when there is none."""
        releases = self.releases()
        return releases[-1] if releases else None

    def find(self, version: str) -> Release | None:
        """Return the release with this version, or None."""
        with self._lock:
            known = self._read.get(version)
        if known is not None and known.path.is_dir():
            return known
        if not names.VERSION_PATTERN.fullmatch(version):
            return None
        return next((r for r in self.releases() if r.version == version), None)

    def chain(self) -> list[Release]:
        """Return the latest release and its predecessors, oldest first."""
        by_version = {r.version: r for r in self.releases()}
        current = self.latest()
        chain: list[Release] = []
        while current is not None and current not in chain:
            chain.append(current)
            current = by_version.get(current.previous) if current.previous else None
        return chain[::-1]


def verify(release: Release) -> list[str]:
    """Return what is wrong with a release's files (a missing file, a checksum that differs)."""
    problems = []
    for name, expected in sorted(release.checksums.items()):
        path = release.file(name)
        if not path.is_file():
            problems.append(f"{path}: missing")
        elif sha256_of(path) != expected:
            problems.append(f"{path}: SHA-256 differs from {names.CHECKSUMS_FILE}")
    return problems


def catalog_triples(releases: list[Release]) -> list[Triple]:
    """Describe the releases as versions of the living dataset, the newest as its current one."""
    concept = NamedNode(CONCEPT)
    triples = []
    for release in releases:
        subject = NamedNode(names.release_iri(release.version))
        triples += [
            Triple(concept, NamedNode(DCAT + "hasVersion"), subject),
            Triple(subject, NamedNode(RDF_TYPE), NamedNode(DCAT + "Dataset")),
            Triple(subject, NamedNode(DCAT + "version"), Literal(release.version)),
            Triple(subject, NamedNode(DCTERMS + "issued"), typed(release.issued, "dateTime")),
            Triple(subject, NamedNode(DCTERMS + "isVersionOf"), concept),
        ]
        if release.previous:
            previous = NamedNode(names.release_iri(release.previous))
            triples.append(Triple(subject, NamedNode(DCAT + "previousVersion"), previous))
    if releases:
        latest = NamedNode(names.release_iri(releases[-1].version))
        triples.append(Triple(concept, NamedNode(DCAT + "hasCurrentVersion"), latest))
    return triples
