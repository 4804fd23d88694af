"""``kg restore``: bring a backup back as the store, after checking that it is whole and valid.

The backup's files are checked against their SHA-256 before anything else; a working copy is made
beside the store, opened, compared with the manifest's quad count and content digest, and run
through the graph's checks; only then is it swapped in, and the store it replaces is kept aside.
A store that a process has open (a running ``kg serve``) is never replaced.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import Store

from kg.graph.validate import validate
from kg.release.backup import (
    MANIFEST,
    MANIFEST_FORMAT,
    BackupError,
    Manifest,
    content_digest,
    partial_path,
    sync_tree,
)
from kg.release.catalog import sha256_of


def read_manifest(folder: Path) -> Manifest:
    """Read a backup's manifest and check every file against it."""
    path = folder / MANIFEST
    if not folder.is_dir():
        raise BackupError(f"{folder}: no such backup folder")
    if not path.is_file():
        raise BackupError(f"{folder}: not a backup made by `kg backup` (no {MANIFEST})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.pop("format") != MANIFEST_FORMAT:
            raise ValueError("unknown format")
        manifest = Manifest(**data)
    except (ValueError, TypeError, KeyError) as error:
        raise BackupError(f"{path}: damaged manifest ({error})") from None
    damaged = [
        name
        for name, digest in sorted(manifest.files.items())
        if not (folder / name).is_file() or sha256_of(folder / name) != digest
    ]
    if damaged:
        raise BackupError(
            f"{folder}: damaged backup: {', '.join(damaged)} missing or not as backed up; "
            "nothing was restored"
        )
    return manifest


def processes_using(path: Path) -> list[int]:
    """Return the ids of the processes that have a file of path open (Linux; else none)."""
    proc = Path("/proc")
    if not proc.is_dir():
        return []
    inside = str(path.resolve()) + os.sep
    users = []
    for entry in proc.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            for descriptor in (entry / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(descriptor).startswith(inside):
                        users.append(int(entry.name))
                        break
    return users


def check_idle(store: Path) -> None:
    """Refuse to replace a store that a process (a running kg serve) has open."""
    if not store.exists():
        return
    users = processes_using(store)
    if users:
        listed = ", ".join(str(pid) for pid in users)
        raise BackupError(
            f"{store} is open in process {listed} (a running `kg serve`?); stop it, restore, "
            "then start it again"
        )


@dataclass(frozen=True)
class Restored:
    """Where the restored store is, and where the store it replaced was kept."""

    manifest: Manifest
    store: Path
    kept: Path | None


def restore(folder: Path, store: Path, *, run_checks: bool = True) -> Restored:
    """Check a backup, then make it the store at path; the store it replaces is kept aside."""
    manifest = read_manifest(folder)
    check_idle(store)
    if not store.parent.is_dir():
        raise BackupError(f"{store.parent}: no such folder to restore the store into")
    staging = partial_path(store, "restoring")
    try:
        shutil.copytree(folder, staging, ignore=shutil.ignore_patterns(MANIFEST))
        check_copy(staging, manifest, run_checks)
        sync_tree(staging)
        kept = None
        if store.exists():
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            kept = store.with_name(f"{store.name}.before-restore-{stamp}")
            store.rename(kept)
        staging.rename(store)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    sync_tree(store.parent, files=False)
    return Restored(manifest, store, kept)


def check_copy(path: Path, manifest: Manifest, run_checks: bool) -> None:
    """Open a working copy of a backup, compare it with its manifest and run the checks."""
    try:
        copy = Store(str(path))
    except OSError as error:
        raise BackupError(f"the backup does not open as a store: {error}") from None
    try:
        found = content_digest(copy)
        if found != (manifest.quads, manifest.content):
            raise BackupError(
                f"damaged backup: it holds {found[0]} quads whose content differs from the "
                f"{manifest.quads} backed up; nothing was restored"
            )
        problems = validate(copy) if run_checks else []
        if problems:
            listed = "\n".join(f"  {problem}" for problem in problems)
            raise BackupError(
                f"the backup fails {len(problems)} check(s); nothing was restored (restore it "
                f"anyway with --no-checks):\n{listed}"
            )
        copy.flush()
    finally:
        del copy
