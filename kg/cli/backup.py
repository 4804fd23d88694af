"""``kg backup`` and ``kg restore``: copy an on-disk store while it is served, and bring it back."""

from __future__ import annotations

from pathlib import Path

import click

from kg.release import backup as backups
from kg.release import restore as restores
from kg.release.backup import BackupError

STORE_OPTION = click.option(
    "--store",
    "store",
    type=click.Path(path_type=Path, file_okay=False),
    envvar="KG_STORE",
    show_envvar=True,
    required=True,
    help="The on-disk store directory (the one `kg serve --store` serves).",
)


@click.command()
@click.argument("destination", type=click.Path(path_type=Path))
@STORE_OPTION
@click.option(
    "--wait",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds to wait for a write in progress to finish before giving up.",
)
def backup(destination: Path, store: Path, wait: float) -> None:
    """Copy the store into DESTINATION (a new folder), consistently, even while it is served."""
    try:
        manifest = backups.backup(store, destination, wait=wait)
    except BackupError as error:
        raise click.ClickException(error.message) from None
    except OSError as error:
        raise click.ClickException(f"the backup failed, nothing was kept: {error}") from None
    click.echo(
        f"backed up {manifest.quads} quads from {store} into {destination} "
        f"({len(manifest.files)} files, checksums in {destination / 'kg-backup.json'})"
    )


@click.command()
@click.argument("source", type=click.Path(path_type=Path, file_okay=False))
@STORE_OPTION
@click.option(
    "--checks/--no-checks",
    default=True,
    show_default=True,
    help="Run the graph's checks (SHACL shapes, violation queries) on the backup first.",
)
def restore(source: Path, store: Path, checks: bool) -> None:
    """Bring back the backup in SOURCE as the store, after checking it; stop the server first.

    The backup's files are checked against their checksums, a working copy is opened and
    compared with what was backed up, and the checks are run; only then does it replace the
    store, which is kept beside it as STORE.before-restore-<time>.
    """
    try:
        done = restores.restore(source, store, run_checks=checks)
    except BackupError as error:
        raise click.ClickException(error.message) from None
    except OSError as error:
        raise click.ClickException(f"the restore failed, the store is unchanged: {error}") from None
    click.echo(f"restored {done.manifest.quads} quads into {done.store}")
    if done.kept is not None:
        click.echo(f"the store it replaced is kept in {done.kept}")
