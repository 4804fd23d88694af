"""``kg build`` and ``kg validate``."""

from __future__ import annotations

from pathlib import Path

import click
from pyoxigraph import Store
from tqdm import tqdm

from kg.errors import KgError
from kg.execution.push import count_quads, graph_sizes, push_store
from kg.execution.remote import RemoteBackend, endpoint_urls
from kg.graph.build import open_existing, open_store
from kg.graph.sources import DRAFT_MARKER, DataError, all_sources, draft_ids
from kg.graph.validate import draft_notes, file_problems
from kg.graph.validate import validate as run_checks
from kg.resources import DATA_DIR

STORE_HELP = (
    "On-disk store directory (built once, rebuilt when the data files change); memory if unset."
)
DATA_HELP = "Data folder to build from (articles/, entities, verified facts, reviews)."


def report(store: Store, data_dir: Path) -> None:
    """Print the problems the checks find and exit non-zero if there are any."""
    problems = run_checks(store, data_dir=data_dir)
    for problem in problems:
        click.echo(str(problem), err=True)
    graphs = sum(1 for _ in store.named_graphs())
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {len(store)} quads")
    click.echo(f"ok: {len(store)} quads in {graphs} named graphs, no problems")


def refuse_bad_files(data_dir: Path, *, include_drafts: bool) -> None:
    """Report every data file that does not parse, all in one run, and stop if there is one."""
    try:
        sources = all_sources(data_dir, include_drafts=include_drafts)
    except DataError as error:
        raise click.ClickException(error.message) from None
    problems = file_problems(sources)
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} file(s) are not valid RDF")


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
@click.option(
    "--into",
    metavar="URL",
    help="After the checks, push every graph into this remote SPARQL store (its base URL, "
    "e.g. http://127.0.0.1:7878, or its query URL), replacing each graph whole.",
)
@click.option(
    "--update-url",
    metavar="URL",
    help="Update URL of the --into store (by default its /update beside /query).",
)
@click.option(
    "--store-auth",
    envvar="KG_STORE_AUTH",
    show_envvar=True,
    help="Credentials for the --into store: 'user:password' or 'Bearer TOKEN'.",
)
def build(
    store_path: Path | None,
    data_dir: Path,
    progress: bool,
    into: str | None,
    update_url: str | None,
    store_auth: str | None,
) -> None:
    """Build the store from the ontology and the data files, check it, and push it if asked.

    Draft articles (a folder holding DRAFT.md) are left out, and named.
    """
    for ident in draft_ids(data_dir):
        marker = data_dir / "articles" / ident / DRAFT_MARKER
        click.echo(f"left out draft article {ident} (delete {marker} to publish it)", err=True)
    refuse_bad_files(data_dir, include_drafts=False)
    try:
        store = open_store(store_path, data_dir=data_dir, progress=progress)
    except DataError as error:
        raise click.ClickException(error.message) from None
    report(store, data_dir)
    if into:
        push_into(store, into, update_url, store_auth)


def push_into(store: Store, url: str, update_url: str | None, credentials: str | None) -> None:
    """Replace each graph of the remote store with the built one, with a progress bar."""
    query_url, update_url = endpoint_urls(url, update_url)
    sizes = graph_sizes(store)
    remote = RemoteBackend(query_url, update_url=update_url, credentials=credentials)
    try:
        with tqdm(total=sum(sizes.values()), unit="triple", desc="pushing") as bar:

            def advance(graph: str, triples: int) -> None:
                bar.set_postfix_str(graph.rsplit("/", 1)[-1], refresh=False)
                bar.update(triples)

            pushed = push_store(store, remote, advance)
        held = count_quads(remote)
    except KgError as error:
        raise click.ClickException(f"pushing into {query_url} failed: {error.message}") from None
    finally:
        remote.close()
    click.echo(
        f"pushed {sum(pushed.values())} triples in {len(pushed)} graphs to {query_url} "
        f"(updates to {update_url}); it now holds {held} quads in named graphs"
    )


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
    """Check the data: every file parses, the shapes, the violation checks and the text.

    Draft articles are checked too; their claims still marked Draft are counted, not reported.
    """
    if store_path is None:
        refuse_bad_files(data_dir, include_drafts=True)
    try:
        store = (
            open_existing(store_path)
            if store_path
            else open_store(data_dir=data_dir, include_drafts=True)
        )
    except DataError as error:
        raise click.ClickException(error.message) from None
    for note in draft_notes(store, data_dir):
        click.echo(note, err=True)
    report(store, data_dir)
