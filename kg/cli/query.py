"""``kg query`` and ``kg export``: the same query path as the endpoint, from the shell."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import click

from kg.cli.options import settings_from, settings_options
from kg.cli.runtime import open_services
from kg.errors import KgError
from kg.execution.base import Outcome
from kg.export import EXPORT_FORMATS, export_format
from kg.export import export as export_outcome
from kg.formats import ALL_FORMATS, offered_for
from kg.streams import close_stream

STORE_OPTIONS = (
    "store",
    "data",
    "base",
    "no_article",
    "query_timeout",
    "wikidata_mode",
    "service_allow",
)

DEFAULT_FORMATS = {"SELECT": "tsv", "ASK": "json", "CONSTRUCT": "turtle", "DESCRIBE": "turtle"}
"""What each query form prints without --format: TSV reads well in a terminal; ASK has none."""


def choose_format(name: str | None, form: str) -> str:
    """Return the media type for a --format name, checking it fits the query form."""
    table = {f.name: f.media_type for f in offered_for(form)}
    chosen = DEFAULT_FORMATS[form] if name is None else name
    if chosen not in table:
        raise KgError(
            f"--format {name} does not fit a {form} query; use one of " + ", ".join(table)
        )
    return table[chosen]


@click.command()
@click.argument("file", required=False, type=click.File("r", encoding="utf-8"))
@click.option("-e", "--expression", "text", help="The query text itself, instead of a FILE.")
@click.option(
    "-f",
    "--format",
    "format_name",
    type=click.Choice([f.name for f in ALL_FORMATS]),
    help="Result format: json, xml, csv, tsv (default) for SELECT; json (default), xml for "
    "ASK; turtle (default), ntriples, jsonld, rdfxml, trig, nquads for CONSTRUCT/DESCRIBE.",
)
@settings_options(STORE_OPTIONS)
def query(file: IO[str] | None, text: str | None, format_name: str | None, **values: Any) -> None:
    """Run a SPARQL query (FILE, - for stdin, or -e TEXT) and write its result to stdout."""
    if (file is None) == (text is None):
        raise click.UsageError("give either a query FILE or -e TEXT")
    query_text = text if text is not None else file.read()  # type: ignore[union-attr]
    services = open_services(settings_from(values))
    try:
        outcome = services.run_query(query_text, lambda form: choose_format(format_name, form))
        write(outcome, sys.stdout.buffer)
    except KgError as error:
        raise click.ClickException(f"{error.title}: {error.message}") from None
    finally:
        services.close()


@click.command()
@click.option(
    "-f",
    "--format",
    "format_name",
    required=True,
    type=click.Choice(list(EXPORT_FORMATS)),
    help="Serialization; turtle, ntriples and rdfxml merge all graphs when no --graph is given.",
)
@click.option("-g", "--graph", help="IRI of the one graph to export (default: the whole dataset).")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="File to write."
)
@settings_options(STORE_OPTIONS)
def export(format_name: str, graph: str | None, output: Path | None, **values: Any) -> None:
    """Export the whole dataset or one graph."""
    services = open_services(settings_from(values))
    try:
        if graph is not None and not services.backend.has_graph(graph):
            raise KgError(f"no graph named <{graph}>; the graphs are: " + _listing(services))
        outcome = export_outcome(services, graph, export_format(format_name))
        if output is None:
            write(outcome, sys.stdout.buffer)
        else:
            with output.open("wb") as sink:
                write(outcome, sink)
    except KgError as error:
        raise click.ClickException(error.message) from None
    finally:
        services.close()


def _listing(services: Any) -> str:
    """List the graph names for an error message."""
    names: list[str] = services.backend.graph_names()
    return ", ".join(f"<{n}>" for n in names) or "(none)"


def write(outcome: Outcome, sink: IO[bytes]) -> None:
    """Copy an outcome's chunks to a binary stream as they come, then close the stream of work."""
    chunks: Iterator[bytes] = outcome.chunks
    try:
        for chunk in chunks:
            sink.write(chunk)
        sink.flush()
    finally:
        close_stream(chunks)
