"""``kg query`` and ``kg export``."""

import click


@click.command()
def query() -> None:
    """Run a SPARQL query against the graph."""
    raise click.ClickException("not built yet")


@click.command()
def export() -> None:
    """Export the dataset or one graph."""
    raise click.ClickException("not built yet")
