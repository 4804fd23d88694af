"""``kg release VERSION``: write a dated, checksummed, never-changing release of the graph."""

from __future__ import annotations

from pathlib import Path

import click

from kg.release.names import SUMMARY_FILE, ReleaseError
from kg.release.patch import counts
from kg.release.publish import publish
from kg.resources import DATA_DIR
from kg.settings import Settings

RELEASES_HELP = "Folder holding the releases; the new one goes into a sub-folder named VERSION."


@click.command()
@click.argument("version")
@click.option(
    "--releases",
    "root",
    type=click.Path(path_type=Path, file_okay=False),
    default=Settings().releases,
    envvar="KG_RELEASES",
    show_envvar=True,
    show_default=True,
    help=RELEASES_HELP,
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DATA_DIR,
    show_default=True,
    help="Data folder to build the release from.",
)
@click.option(
    "--previous",
    metavar="VERSION",
    help="The release this one follows (default: the newest one in --releases).",
)
def release(version: str, root: Path, data_dir: Path, previous: str | None) -> None:
    """Build and check the graph, then write release VERSION with its changes since the last.

    VERSION names a folder and a URL path segment (e.g. 1.0.0 or 2026-03-01). A release that
    exists is never overwritten, and nothing is written when the build or the checks fail.
    """
    try:
        done = publish(version, root, data_dir=data_dir, previous=previous)
    except ReleaseError as error:
        raise click.ClickException(error.message) from None
    except OSError as error:
        raise click.ClickException(f"cannot write the release into {root}: {error}") from None
    made = done.release
    removed, added = counts(done.changes)
    since = f"since {made.previous}" if made.previous else "(the first release)"
    click.echo(f"released {made.version} into {made.path} in {done.seconds:.1f} s")
    for name in made.files:
        click.echo(f"  {name:16} {made.file(name).stat().st_size:>10,} bytes")
    click.echo(
        f"changes {since}: {removed} statement(s) removed, {added} added, "
        f"in {len(done.changes)} graph(s); see {made.file(SUMMARY_FILE)}"
    )
