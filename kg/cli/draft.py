"""``kg draft``: the next article's layer, drafted from its text for a person to review."""

from __future__ import annotations

from pathlib import Path

import click

from kg.draft import DraftError, Options, draft_article
from kg.graph.sources import DataError
from kg.resources import DATA_DIR


@click.command()
@click.argument("text_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--id",
    "article_id",
    required=True,
    help="The article's id, YYYY-MM-DD-slug; its folder is <data-dir>/articles/<id>/.",
)
@click.option("--headline", help="The headline (default: the text's first line).")
@click.option(
    "--date",
    "published",
    help="Date of publication, e.g. 2026-01-20 (default: the text's dateline, else the id's date).",
)
@click.option("--publisher", help="Who published the article (default: none recorded).")
@click.option(
    "--language",
    type=click.Choice(["en", "es"]),
    help="The text's language (default: the language of its dates, else en).",
)
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=DATA_DIR,
    show_default=True,
    help="Data folder whose entities names are matched against, and where the draft goes.",
)
@click.option("--force", is_flag=True, help="Replace the draft files of an existing folder.")
def draft(
    text_file: Path,
    article_id: str,
    headline: str | None,
    published: str | None,
    publisher: str | None,
    language: str | None,
    data_dir: Path,
    force: bool,
) -> None:
    """Draft an article's sentences, names, dates, amounts and claim skeletons from its text."""
    options = Options(article_id, headline, published, publisher, language)
    try:
        drafted = draft_article(text_file, options, data_dir, force=force)
    except (DraftError, DataError) as error:
        raise click.ClickException(error.message) from None
    click.echo(drafted.summary())
