"""``kg backup``: a consistent copy of an on-disk store, taken while the server writes to it.

A store is written only by a process that opens it read-write, and RocksDB marks that with a
POSIX lock on the store's ``LOCK`` file. ``kg serve`` opens the store read-write only for the
moment of a write (its readers open it read-only), so a backup takes that same lock: while it
holds it, no write is half-done and none can start, and the copy (``Store.backup``: hard links
on the same file system, a copy elsewhere) is the store exactly as of the last acknowledged
write. The lock is held for the copy only, typically milliseconds.

A backup folder carries ``kg-backup.json``: the SHA-256 of each of its files, the number of
quads and a digest of their content, so that ``kg.release.restore`` refuses a damaged copy
before touching the store.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Store

from kg.errors import BadRequest
from kg.graph.build import FINGERPRINT_FILE
from kg.release.catalog import sha256_of

MANIFEST = "kg-backup.json"
MANIFEST_FORMAT = "kg-backup 1"
ROCKSDB_LOCK = "LOCK"
ROCKSDB_CURRENT = "CURRENT"
POLL = 0.02
"""Seconds between tries to take the store's lock while a write finishes."""


class BackupError(BadRequest):
    """A backup or a restore cannot be done as asked; nothing was changed."""

    title = "Backup error"


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: its files' checksums, and the size and digest of its content."""

    created: str
    source: str
    quads: int
    content: str
    files: dict[str, str]

    def to_json(self) -> str:
        """Return the manifest as the JSON written beside the backup."""
        return json.dumps({"format": MANIFEST_FORMAT, **self.__dict__}, indent=2) + "\n"


def content_digest(store: Store) -> tuple[int, str]:
    """Return the number of quads and an order-independent digest of them.

    The digest is the sum of every quad's SHA-256, so it needs no sorting and streams.
    """
    total = 0
    count = 0
    for quad in store:
        total += int.from_bytes(hashlib.sha256(str(quad).encode()).digest(), "big")
        count += 1
    return count, f"{total % (1 << 256):064x}"


def check_store(path: Path) -> None:
    """Refuse a path that holds no on-disk store."""
    if not (path / ROCKSDB_CURRENT).is_file():
        raise BackupError(f"{path}: no on-disk store here (a store built with --store PATH)")


def check_destination(destination: Path) -> None:
    """Refuse a destination that exists or whose parent folder cannot be written."""
    if destination.exists() or destination.is_symlink():
        raise BackupError(f"{destination} already exists: a backup never overwrites anything")
    parent = destination.parent
    if not parent.is_dir():
        raise BackupError(f"{parent}: no such folder to put the backup in")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise BackupError(f"{parent}: this folder is not writable")


@contextlib.contextmanager
def no_writer(store: Path, wait: float) -> Iterator[None]:
    """Hold the store's RocksDB lock, so no process has it open for writing meanwhile."""
    descriptor = os.open(store / ROCKSDB_LOCK, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as error:
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if time.monotonic() >= deadline:
                    raise BackupError(
                        f"{store}: a process has kept the store open for writing for {wait:g} s "
                        "(a `kg build --store`, or a write that does not finish); try again "
                        "when it is done"
                    ) from None
                time.sleep(POLL)
        yield
    finally:
        os.close(descriptor)


def partial_path(final: Path, purpose: str) -> Path:
    """Return an unused hidden path beside final, for writing before the rename into place."""
    return final.parent / f".{final.name}.{purpose}-{uuid.uuid4().hex[:8]}"


def backup(store: Path, destination: Path, *, wait: float = 30.0) -> Manifest:
    """Copy the store consistently into destination (which must not exist); return the manifest."""
    check_store(store)
    check_destination(destination)
    staging = partial_path(destination, "partial")
    try:
        with no_writer(store, wait):
            source = Store.read_only(str(store))
            quads = len(source)
            source.backup(str(staging))
            del source
            fingerprint = store / FINGERPRINT_FILE
            if fingerprint.is_file():
                # Without its fingerprint, `kg serve --store` would rebuild the store from the
                # data files and drop every write the backup holds.
                shutil.copy2(fingerprint, staging / FINGERPRINT_FILE)
        # The lock is held for the copy only (writes wait meanwhile); the copy is read after.
        copy = Store.read_only(str(staging))
        copied, content = content_digest(copy)
        del copy
        if copied != quads:
            raise BackupError(
                f"the copy holds {copied} quads where the store holds {quads}; nothing kept"
            )
        manifest = Manifest(
            datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            str(store.resolve()),
            quads,
            content,
            {path.name: sha256_of(path) for path in sorted(staging.iterdir())},
        )
        write_synced(staging / MANIFEST, manifest.to_json().encode())
        sync_tree(staging)
        staging.rename(destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    sync_tree(destination.parent, files=False)
    return manifest


def write_synced(path: Path, content: bytes) -> None:
    """Write a new file and flush it to disk."""
    with path.open("xb") as stream:
        stream.write(content)
        stream.flush()
        os.fsync(stream.fileno())


def sync_tree(folder: Path, *, files: bool = True) -> None:
    """Flush a folder's files (when asked) and its entries to disk."""
    if files:
        for path in folder.iterdir():
            if path.is_file():
                descriptor = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(descriptor)
                finally:
                    os.close(descriptor)
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
