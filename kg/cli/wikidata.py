"""``kg wikidata``: refresh the pinned extract, propose links."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from pyoxigraph import Store
from tqdm import tqdm

from kg.errors import KgError
from kg.graph.build import open_store
from kg.iris import WIKIDATA_ENTITY
from kg.settings import setting_fields
from kg.wikidata.candidates import candidates as find_candidates
from kg.wikidata.candidates import unlinked_entities
from kg.wikidata.client import WikidataClient
from kg.wikidata.extract import EXTRACT_PATH
from kg.wikidata.refresh import Change, linked_items, refresh

_SETTINGS = {f.name: f for f in setting_fields()}


def _from_settings(name: str, flag: str) -> Callable[[Any], Any]:
    """Declare an option whose default, environment variable and help come from Settings."""
    found = _SETTINGS[name]
    return click.option(
        flag,
        default=found.default,
        envvar=found.metadata["env"],
        show_default=True,
        type=type(found.default),
        help=found.metadata["help"] + f" [env {found.metadata['env']}]",
    )


def _graph_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options that say which graph's links to use."""
    command = click.option(
        "--data",
        multiple=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Extra RDF files whose entities count too (repeatable).",
    )(command)
    command = click.option(
        "--no-article", is_flag=True, help="Use only --data, not the shipped article graph."
    )(command)
    for name, flag in (
        ("wikidata_timeout", "--timeout"),
        ("user_agent_contact", "--contact"),
        ("wikidata_endpoint", "--endpoint"),
    ):
        command = _from_settings(name, flag)(command)
    return command


def _store(data: tuple[Path, ...], no_article: bool) -> Store:
    """Build the graph whose links are read."""
    return open_store(include_article=not no_article, extra=data)


def _short(iri: str) -> str:
    """Write a Wikidata item as wd:Q..., anything else as <iri>."""
    return "wd:" + iri[len(WIKIDATA_ENTITY) :] if iri.startswith(WIKIDATA_ENTITY) else f"<{iri}>"


def _report(changes: list[Change], items: int, output: Path) -> None:
    """Print what a refresh changed, item by item."""
    for change in changes:
        click.echo(f"{_short(change.item)}: +{len(change.added)} -{len(change.removed)}")
        for sign, triples in (("+", change.added), ("-", change.removed)):
            for triple in triples:
                click.echo(f"  {sign} {triple.subject} {triple.predicate} {triple.object}")
    click.echo(f"{items} items read, {len(changes)} items changed; wrote {output}")


@click.group()
def wikidata() -> None:
    """Work with the pinned Wikidata extract."""


@wikidata.command("refresh")
@_graph_options
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=EXTRACT_PATH,
    show_default=True,
    help="Where to write the extract.",
)
def refresh_command(
    endpoint: str,
    contact: str,
    timeout: float,
    no_article: bool,
    data: tuple[Path, ...],
    output: Path,
) -> None:
    """Rebuild the extract from Wikidata for every entity the graph links to."""
    items = linked_items(_store(data, no_article))
    if not items:
        raise click.ClickException("no entity of the graph links to Wikidata (owl:sameAs wd:Q…)")
    client = WikidataClient(endpoint, contact, timeout)
    try:
        changes = refresh(
            client, items, output, lambda found: tqdm(found, desc="Wikidata items", unit="item")
        )
    except KgError as error:
        raise click.ClickException(error.message) from None
    _report(changes, len(items), output)


@wikidata.command("candidates")
@_graph_options
@click.option("--limit", default=5, show_default=True, help="Most proposals per entity.")
def candidates_command(
    endpoint: str,
    contact: str,
    timeout: float,
    no_article: bool,
    data: tuple[Path, ...],
    limit: int,
) -> None:
    """Propose Wikidata items, by exact label, for entities without a link; writes nothing."""
    entities = unlinked_entities(_store(data, no_article))
    client = WikidataClient(endpoint, contact, timeout)
    try:
        found = find_candidates(
            client, entities, limit, lambda e: tqdm(e, desc="Entities", unit="entity")
        )
    except KgError as error:
        raise click.ClickException(error.message) from None
    for candidate in found:
        description = f"  ({candidate.description})" if candidate.description else ""
        click.echo(
            f"<{candidate.entity}>\t{_short(candidate.item)}\t{candidate.label}{description}"
        )
    proposed = len({c.entity for c in found})
    click.echo(
        f"{len(entities)} unlinked entities, {proposed} with proposals. Nothing was written: "
        "check each proposal, then add `<entity> owl:sameAs wd:Q…` to the entity's data file."
    )
