"""``kg build`` and ``kg validate``."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from pyoxigraph import Store
from tqdm import tqdm

from kg.errors import KgError
from kg.execution.graph_writer import PushVia, WriteOptions
from kg.execution.push import COUNT_QUADS, graph_sizes, push_store
from kg.execution.remote import RemoteBackend, endpoint_urls
from kg.execution.store_requests import RetryPolicy
from kg.execution.update_batches import BatchLimits
from kg.graph.build import open_existing, open_store
from kg.graph.sources import DRAFT_MARKER, DataError, all_sources, draft_ids
from kg.graph.validate import draft_notes, file_problems
from kg.graph.validate import validate as run_checks
from kg.pipeline import Services
from kg.resources import DATA_DIR
from kg.settings import Settings

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
    "e.g. http://127.0.0.1:7878, or its query or update URL), replacing each graph whole.",
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
    help="Credentials for the --into store: 'user:password' (Basic), 'Basic user:password', "
    "'Digest user:password' or 'Bearer TOKEN'.",
)
@click.option(
    "--gsp-url",
    metavar="URL",
    help="Graph Store Protocol endpoint of the --into store (by default looked for beside its "
    "SPARQL endpoint: /store, /data, /sparql-graph-crud).",
)
@click.option(
    "--push-via",
    type=click.Choice(["auto", "graph-store", "update"]),
    default="auto",
    show_default=True,
    help="Replace graphs through the Graph Store Protocol, through SPARQL Update, or the first "
    "where the store has a Graph Store endpoint.",
)
@click.option(
    "--update-batch-triples",
    type=click.IntRange(min=1),
    default=BatchLimits.max_triples,
    show_default=True,
    help="Most triples in one SPARQL Update request (Virtuoso 7.2 fails above about 1,500); "
    "triples linked by blank nodes always go together.",
)
@click.option(
    "--update-batch-bytes",
    type=click.IntRange(min=1024),
    default=BatchLimits.max_bytes,
    show_default=True,
    help="Most bytes of triples in one SPARQL Update request.",
)
@click.option(
    "--push-attempts",
    type=click.IntRange(min=1),
    default=RetryPolicy.attempts,
    show_default=True,
    help="Tries per graph when the store is unreachable, busy or deadlocked (waits 1, 2, 4 … s).",
)
def build(
    store_path: Path | None,
    data_dir: Path,
    progress: bool,
    into: str | None,
    update_url: str | None,
    store_auth: str | None,
    gsp_url: str | None,
    push_via: PushVia,
    update_batch_triples: int,
    update_batch_bytes: int,
    push_attempts: int,
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
        writes = WriteOptions(
            via=push_via,
            graph_store_url=gsp_url,
            limits=BatchLimits(update_batch_triples, update_batch_bytes),
            retry=RetryPolicy(attempts=push_attempts, report=warn),
        )
        push_into(store, into, update_url, store_auth, writes)


def warn(line: str) -> None:
    """Tell the user something went wrong and is being dealt with."""
    click.echo(line, err=True)


def push_into(
    store: Store,
    url: str,
    update_url: str | None,
    credentials: str | None,
    writes: WriteOptions,
) -> None:
    """Replace each graph of the remote store with the built one, with a progress bar."""
    query_url, update_url = endpoint_urls(url, update_url)
    sizes = graph_sizes(store)
    started = time.monotonic()
    try:
        remote = RemoteBackend(
            query_url, update_url=update_url, credentials=credentials, writes=writes
        )
        try:
            method = remote.writer.describe()
            with tqdm(total=sum(sizes.values()), unit="triple", desc="pushing") as bar:

                def advance(graph: str, triples: int) -> None:
                    bar.set_postfix_str(graph.rsplit("/", 1)[-1], refresh=False)
                    bar.update(triples)

                pushed = push_store(store, remote, advance)
            seconds = time.monotonic() - started
            held = count_quads(Services(Settings(), remote))
        finally:
            remote.close()
    except KgError as error:
        raise click.ClickException(f"pushing into {query_url} failed: {error.message}") from None
    triples = sum(pushed.values())
    click.echo(
        f"pushed {triples} triples in {len(pushed)} graphs to {query_url} through {method} "
        f"in {seconds:.2f} s ({triples / max(seconds, 1e-9):,.0f} triples/s); "
        f"it now holds {held} quads in named graphs"
    )


def count_quads(services: Services) -> int:
    """Count the quads in the named graphs of the store the services run on."""
    outcome = services.run_query(COUNT_QUADS, lambda _form: "application/sparql-results+json")
    return int(json.loads(outcome.read_all())["results"]["bindings"][0]["quads"]["value"])


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
