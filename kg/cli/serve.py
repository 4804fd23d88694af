"""``kg serve``."""

import click


@click.command()
def serve() -> None:
    """Serve the graph over HTTP."""
    raise click.ClickException("not built yet")
