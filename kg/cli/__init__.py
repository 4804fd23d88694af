"""The ``kg`` command: draft, build, validate, query, export, serve, wikidata, release, backup."""

from __future__ import annotations

import click

from kg import __version__
from kg.cli import backup, draft, graph, query, release, serve, wikidata


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """Build, check, query and serve the Peru-Ecuador knowledge graph."""


main.add_command(draft.draft)
main.add_command(graph.build)
main.add_command(graph.validate)
main.add_command(query.query)
main.add_command(query.export)
main.add_command(serve.serve)
main.add_command(wikidata.wikidata)
main.add_command(release.release)
main.add_command(backup.backup)
main.add_command(backup.restore)
