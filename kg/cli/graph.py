"""``kg build`` and ``kg validate``."""

from __future__ import annotations

from pathlib import Path

import click
from pyoxigraph import Store

from kg.graph.build import open_existing, open_store
from kg.graph.sources import DataError
from kg.graph.validate import validate as run_checks
from kg.resources import DATA_DIR

STORE_HELP = (
    "On-disk store directory (built once, rebuilt when the data files change); memory if unset."
)
DATA_HELP = "Data folder to build from (articles/, entities, verified facts, reviews)."


def report(store: Store) -> None:
    """Print the problems the checks find and exit non-zero if there are any."""
    problems = run_checks(store)
    for problem in problems:
        click.echo(str(problem), err=True)
    graphs = sum(1 for _ in store.named_graphs())
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {len(store)} quads")
    click.echo(f"ok: {len(store)} quads in {graphs} named graphs, no problems")


@click.command()
@click.option("--store", "store_path", type=click.Path(path_type=Path), help=STORE_HELP)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DATA_DIR,
    show_default=True,
    help=DATA_HELP,
)
@click.option("--progress/--no-progress", default=False, help="Show a progress bar while loading.")
def build(store_path: Path | None, data_dir: Path, progress: bool) -> None:
    """Build the store from the ontology and the data files, then check it."""
    try:
        store = open_store(store_path, data_dir=data_dir, progress=progress)
    except DataError as error:
        raise click.ClickException(error.message) from None
    report(store)


@click.command()
@click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path, file_okay=False),
    help="Check this existing store as it is (even if written to since it was built).",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DATA_DIR,
    show_default=True,
    help=DATA_HELP + " Used when no --store is given.",
)
def validate(store_path: Path | None, data_dir: Path) -> None:
    """Run the SHACL shapes and the violation checks."""
    try:
        store = open_existing(store_path) if store_path else open_store(data_dir=data_dir)
    except DataError as error:
        raise click.ClickException(error.message) from None
    report(store)
