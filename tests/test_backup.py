"""``kg backup`` and ``kg restore``: a consistent copy while the server writes, and nothing lost."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode, Quad, Store
from support.server import start_server

from kg.cli import main
from kg.execution.worker import open_for_writing
from kg.graph.build import FINGERPRINT_FILE, open_store
from kg.release.backup import MANIFEST, content_digest

TOKEN = "backup-token"
GRAPH = "http://example.org/backup-test"
COUNTER = "http://example.org/n"
HOLD = (
    "import sys, time, pyoxigraph; s = pyoxigraph.Store{how}(sys.argv[1]); "
    "print(1, flush=True); time.sleep(float(sys.argv[2]))"
)
"""A program that keeps a store open (read-write, or read-only) for a while."""


def run(*args: str) -> tuple[int, str]:
    """Run the kg command and return its exit code and all it printed."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """Return an on-disk store of the shipped graph, with one statement written after the build."""
    path = tmp_path / "store"
    built = open_store(path)
    added = Quad(NamedNode("http://e/s"), NamedNode(COUNTER), Literal("added"), NamedNode(GRAPH))
    built.add(added)
    built.flush()
    del built
    return path


def digest(path: Path) -> tuple[int, str]:
    """Return the number of quads of an on-disk store and a digest of its content."""
    opened = Store.read_only(str(path))
    try:
        return content_digest(opened)
    finally:
        del opened


@contextmanager
def held_open(path: Path, seconds: float, *, read_only: bool = False) -> Iterator[None]:
    """Keep a store open in another process (read-write unless told) for a while."""
    code = HOLD.format(how=".read_only" if read_only else "")
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "1"
        yield
    finally:
        process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def test_a_backup_restores_to_the_same_content(store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "backup"
    code, output = run("backup", str(copy), "--store", str(store))
    assert code == 0, output
    quads, _ = digest(store)
    assert output.startswith(f"backed up {quads} quads from {store} into {copy} (")
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["quads"] == quads and FINGERPRINT_FILE in manifest["files"]
    restored = tmp_path / "restored"
    code, output = run("restore", str(copy), "--store", str(restored))
    assert code == 0, output
    assert output == f"restored {quads} quads into {restored}\n"
    assert digest(restored) == digest(store)
    assert (restored / FINGERPRINT_FILE).read_bytes() == (store / FINGERPRINT_FILE).read_bytes()
    assert not (restored / MANIFEST).exists()


def test_a_restore_keeps_the_store_it_replaces(store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "backup"
    assert run("backup", str(copy), "--store", str(store))[0] == 0
    before = digest(store)
    code, output = run("restore", str(copy), "--store", str(store))
    assert code == 0, output
    [kept] = tmp_path.glob("store.before-restore-*")
    assert f"the store it replaced is kept in {kept}" in output
    assert digest(kept) == before == digest(store)


def test_an_existing_destination_is_refused(store: Path, tmp_path: Path) -> None:
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine", encoding="utf-8")
    code, output = run("backup", str(taken), "--store", str(store))
    assert code == 1
    assert f"{taken} already exists: a backup never overwrites anything" in output
    assert [p.name for p in taken.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing/backup", "no such folder to put the backup in"),
        ("a-file/backup", "no such folder"),
    ],
)
def test_a_destination_that_cannot_be_written_is_refused(
    store: Path, tmp_path: Path, where: str, message: str
) -> None:
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    code, output = run("backup", str(tmp_path / where), "--store", str(store))
    assert code == 1 and message in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file", "store"]


def test_an_unwritable_destination_is_refused(store: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        code, output = run("backup", str(locked / "backup"), "--store", str(store))
    finally:
        locked.chmod(0o755)
    if code == 0:
        pytest.skip("this user writes into read-only folders (root)")
    assert code == 1 and f"{locked}: this folder is not writable" in output


def test_no_store_to_back_up(tmp_path: Path) -> None:
    code, output = run("backup", str(tmp_path / "backup"), "--store", str(tmp_path))
    assert code == 1
    assert f"{tmp_path}: no on-disk store here" in output
    assert not (tmp_path / "backup").exists()


def test_a_backup_waits_for_a_write_in_progress(store: Path, tmp_path: Path) -> None:
    with held_open(store, 1.0):
        started = time.monotonic()
        code, output = run(
            "backup", str(tmp_path / "backup"), "--store", str(store), "--wait", "30"
        )
        waited = time.monotonic() - started
    assert code == 0, output
    assert waited >= 0.5


def test_a_write_that_does_not_finish_is_a_clear_error(store: Path, tmp_path: Path) -> None:
    with held_open(store, 30.0):
        code, output = run(
            "backup", str(tmp_path / "backup"), "--store", str(store), "--wait", "0.3"
        )
    assert code == 1
    assert "a process has kept the store open for writing for 0.3 s" in output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]


def test_a_writer_waits_while_a_backup_holds_the_store(store: Path) -> None:
    with held_open(store, 0.5):
        with pytest.raises(OSError, match="lock"):
            Store(str(store))
        started = time.monotonic()
        opened = open_for_writing(store)
    assert time.monotonic() - started >= 0.2
    assert len(opened) > 0
    del opened


@pytest.fixture
def copy(store: Path, tmp_path: Path) -> Path:
    """Return a fresh backup of the store."""
    path = tmp_path / "backup"
    assert run("backup", str(path), "--store", str(store))[0] == 0
    return path


def largest_data_file(folder: Path) -> Path:
    """Return the largest SST file of a backup."""
    return max(folder.glob("*.sst"), key=lambda p: p.stat().st_size)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        ("flip", "damaged backup: {name} missing or not as backed up; nothing was restored"),
        ("remove", "damaged backup: {name} missing or not as backed up"),
        ("manifest", "damaged manifest"),
        ("no-manifest", "not a backup made by `kg backup`"),
    ],
)
def test_a_damaged_copy_is_not_restored(store: Path, copy: Path, damage: str, message: str) -> None:
    target = largest_data_file(copy)
    if damage == "flip":
        data = bytearray(target.read_bytes())
        data[len(data) // 2] ^= 0xFF
        # A backup on the store's file system shares its data files by hard link (a RocksDB
        # checkpoint); damage the copy's file alone, as on a copy kept elsewhere.
        target.unlink()
        target.write_bytes(bytes(data))
    elif damage == "remove":
        target.unlink()
    elif damage == "manifest":
        (copy / MANIFEST).write_text("{ not json", encoding="utf-8")
    else:
        (copy / MANIFEST).unlink()
    before = digest(store)
    code, output = run("restore", str(copy), "--store", str(store))
    assert code == 1
    assert message.format(name=target.name) in output
    assert digest(store) == before
    assert sorted(p.name for p in store.parent.iterdir()) == ["backup", "store"]


def test_a_copy_whose_content_differs_is_not_restored(
    store: Path, copy: Path, tmp_path: Path
) -> None:
    manifest = json.loads((copy / MANIFEST).read_text(encoding="utf-8"))
    manifest["quads"] += 1
    (copy / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    code, output = run("restore", str(copy), "--store", str(tmp_path / "new"))
    assert code == 1
    assert "damaged backup: it holds" in output and "nothing was restored" in output
    assert not (tmp_path / "new").exists()


def test_a_copy_that_fails_the_checks_is_restored_only_when_told(tmp_path: Path) -> None:
    store = tmp_path / "store"
    built = open_store(store)
    review = NamedNode(
        "https://w3id.org/peru-ecuador-kg/id/review/2025-12-12-peru-ecuador/border-1500-km"
    )
    built.remove_graph(NamedNode("https://w3id.org/peru-ecuador-kg/graph/reviews"))
    built.add(
        Quad(
            review,
            NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            NamedNode("https://schema.org/ClaimReview"),
            NamedNode("https://w3id.org/peru-ecuador-kg/graph/reviews"),
        )
    )
    built.flush()
    del built
    assert run("backup", str(tmp_path / "backup"), "--store", str(store))[0] == 0
    code, output = run("restore", str(tmp_path / "backup"), "--store", str(tmp_path / "new"))
    assert code == 1
    assert "the backup fails" in output and "restore it anyway with --no-checks" in output
    assert "border-1500-km" in output
    assert not (tmp_path / "new").exists()
    flags = ("--store", str(tmp_path / "new"), "--no-checks")
    code, output = run("restore", str(tmp_path / "backup"), *flags)
    assert code == 0, output
    assert digest(tmp_path / "new") == digest(store)


def test_a_store_in_use_is_not_replaced(store: Path, copy: Path) -> None:
    before = digest(store)
    with held_open(store, 30.0, read_only=True):
        code, output = run("restore", str(copy), "--store", str(store))
    assert code == 1
    assert "(a running `kg serve`?); stop it, restore, then start it again" in output
    assert digest(store) == before
    assert not list(store.parent.glob("store.before-restore-*"))


def request(url: str, data: bytes | None = None, **headers: str) -> tuple[int, bytes]:
    """Send one HTTP request and return its status and body."""
    sent = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(sent, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def insert(url: str, number: int) -> int:
    """Write one numbered statement through the server; return the HTTP status."""
    statement = f"<http://example.org/w/{number}> <{COUNTER}> {number}"
    update = f"INSERT DATA {{ GRAPH <{GRAPH}> {{ {statement} }} }}"
    status, _ = request(
        f"{url}/sparql",
        update.encode(),
        **{"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"},
    )
    return status


def written(url: str) -> set[int]:
    """Return the numbers of the statements the server holds."""
    query = f"SELECT ?n WHERE {{ GRAPH <{GRAPH}> {{ ?w <{COUNTER}> ?n }} }}"
    status, body = request(
        f"{url}/sparql?query={urllib.parse.quote(query)}", Accept="application/sparql-results+json"
    )
    assert status == 200, body
    rows = json.loads(body)["results"]["bindings"]
    return {int(row["n"]["value"]) for row in rows}


@pytest.mark.server
def test_every_acknowledged_write_survives_a_backup_taken_during_writes(tmp_path: Path) -> None:
    store, copy = tmp_path / "store", tmp_path / "backup"
    args = ("--store", str(store), "--write-token", TOKEN)
    server = start_server(*args)
    acknowledged: list[tuple[int, float]] = []
    refused: list[int] = []
    stop = threading.Event()

    def write_continuously() -> None:
        number = 0
        while not stop.is_set():
            number += 1
            status = insert(server.url, number)
            if status in (200, 204):
                acknowledged.append((number, time.monotonic()))
            else:
                refused.append(number)

    writer = threading.Thread(target=write_continuously)
    try:
        writer.start()
        while len(acknowledged) < 5:
            time.sleep(0.05)
        started = time.monotonic()
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                "from kg.cli import main; main()",
                "backup",
                str(copy),
                "--store",
                str(store),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        finished = time.monotonic()
        assert done.returncode == 0, done.stdout + done.stderr
        while len([a for a in acknowledged if a[1] > finished]) < 3:
            time.sleep(0.05)
        stop.set()
        writer.join()
        live = written(server.url)
    finally:
        stop.set()
        writer.join()
        server.stop()
    before = {n for n, at in acknowledged if at < started}
    during = {n for n, at in acknowledged if started <= at <= finished}
    after = {n for n, at in acknowledged if at > finished}
    assert live == {n for n, _ in acknowledged}, "every acknowledged write is in the live store"
    assert after, "writes went on after the backup"
    assert not refused, "a write that starts during the backup waits for it instead of failing"

    code, output = run("restore", str(copy), "--store", str(store))
    assert code == 0, output
    restarted = start_server(*args)
    try:
        restored = written(restarted.url)
    finally:
        restarted.stop()
    assert before <= restored, "every write acknowledged before the backup began is restored"
    assert restored <= before | during, "nothing written after the backup ended is in it"
    assert not restored & set(refused), "a write the server refused is in no store"
    last = max(restored)
    assert restored == {n for n, _ in acknowledged if n <= last}, "one point in time, no gaps"
