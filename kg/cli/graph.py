"""``kg build`` and ``kg validate``."""

import click


@click.command()
def build() -> None:
    """Build the store from the ontology and the data files."""
    raise click.ClickException("not built yet")


@click.command()
def validate() -> None:
    """Run the SHACL shapes and the violation checks."""
    raise click.ClickException("not built yet")
