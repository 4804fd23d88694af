"""``kg wikidata``: refresh the pinned extract, propose links."""

from __future__ import annotations

from pathlib import Path

import click
from pyoxigraph import Store
from tqdm import tqdm

from kg.cli.options import settings_options
from kg.errors import KgError
from kg.graph.build import open_store
from kg.iris import WIKIDATA_ENTITY
from kg.wikidata.candidates import candidates as find_candidates
from kg.wikidata.candidates import unlinked_entities
from kg.wikidata.client import WikidataClient
from kg.wikidata.extract import EXTRACT_PATH
from kg.wikidata.refresh import Change, linked_items, refresh

_graph_options = settings_options(
    ("data", "no_article", "wikidata_endpoint", "user_agent_contact", "wikidata_timeout"),
    flags={
        "wikidata_endpoint": "--endpoint",
        "user_agent_contact": "--contact",
        "wikidata_timeout": "--timeout",
    },
)
"""The options that say which graph's links to use and how to reach Wikidata."""


def _store(data: tuple[Path, ...], no_article: bool) -> Store:
    """Build the graph whose links are read."""
    try:
        return open_store(include_article=not no_article, extra=data)
    except KgError as error:
        raise click.ClickException(error.message) from None


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
    data: tuple[Path, ...],
    no_article: bool,
    wikidata_endpoint: str,
    user_agent_contact: str,
    wikidata_timeout: float,
    output: Path,
) -> None:
    """Rebuild the extract from Wikidata for every entity the graph links to."""
    items = linked_items(_store(data, no_article))
    if not items:
        raise click.ClickException("no entity of the graph links to Wikidata (owl:sameAs wd:Q…)")
    client = WikidataClient(wikidata_endpoint, user_agent_contact, wikidata_timeout)
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
    data: tuple[Path, ...],
    no_article: bool,
    wikidata_endpoint: str,
    user_agent_contact: str,
    wikidata_timeout: float,
    limit: int,
) -> None:
    """Propose Wikidata items, by exact label, for entities without a link; writes nothing."""
    entities = unlinked_entities(_store(data, no_article))
    client = WikidataClient(wikidata_endpoint, user_agent_contact, wikidata_timeout)
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
