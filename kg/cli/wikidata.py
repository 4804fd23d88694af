"""``kg wikidata``: refresh the pinned extract, propose links."""

import click


@click.group()
def wikidata() -> None:
    """Work with the pinned Wikidata extract."""
