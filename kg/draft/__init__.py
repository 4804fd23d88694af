"""Draft an article's layer from its text: sentences, names, dates, amounts, claim skeletons.

``kg draft`` computes what is mechanical (selectors in code points, names matched against the
graph, dates at their precision, amounts with their unit, the shared entities a sentence speaks of
and the verified values its dates and amounts meet) and leaves a person the judgement (which
statements a sentence makes). The draft folder carries a DRAFT.md, so builds leave it out until
that person deletes it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from pyoxigraph import Store

from kg import iris
from kg.draft import summary, template
from kg.draft.document import ArticleDraft, ArticleMeta, Mention, NewEntity, Sentence
from kg.draft.mentions import known_names, mentions_of_article, new_entities, slug
from kg.draft.segment import segment
from kg.draft.shared import recorded_values, shared_entities
from kg.draft.values import amounts_in, dates_in, detect_language, parse_day
from kg.errors import KgError
from kg.graph.build import open_store
from kg.graph.sources import ARTICLE_TEXT, DRAFT_MARKER, article_text

WRITTEN = (ARTICLE_TEXT, "article.trig", "claims.trig", "entities.trig", DRAFT_MARKER)
"""The files a draft writes; --force replaces these and leaves any other file alone."""


class DraftError(KgError):
    """The draft cannot be made: a bad id, text or option; nothing was written."""

    status = 400
    title = "Cannot draft"


@dataclass(frozen=True)
class Options:
    """What the person gave on the command line (None: read it from the text)."""

    article_id: str
    headline: str | None = None
    published: str | None = None
    publisher: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class Drafted:
    """A draft written to its folder, with where each of its descriptions came from."""

    draft: ArticleDraft
    folder: Path
    files: list[Path]
    sources: dict[str, str]

    def summary(self) -> str:
        """Return what was drafted and what is left to do, as ``kg draft`` prints it."""
        return (
            f"drafted {self.folder} ({len(self.files)} files); builds leave it out until "
            f"{DRAFT_MARKER} is deleted\n\n{summary.about(self.draft, self.sources)}\n\n"
            f"{summary.table(self.draft)}"
        )


def id_date(article_id: str) -> date:
    """Return the date an article id starts with, or fail saying what a good id looks like."""
    head, rest = article_id[:10], article_id[10:]
    try:
        day = date.fromisoformat(head)
    except ValueError:
        day = None
    name = rest[1:]
    if (
        day is None
        or not rest.startswith("-")
        or not name
        or name != slug(name)
        or not article_id.isascii()
    ):
        raise DraftError(
            f"--id {article_id!r}: an article id is YYYY-MM-DD-slug, a real date then lowercase "
            "words joined by hyphens (e.g. 2026-01-20-border-post)"
        )
    return day


def resolve(
    options: Options, text: str, sentences: list[Sentence]
) -> tuple[ArticleMeta, dict[str, str]]:
    """Settle the headline, date and language: from the options, else from the text."""
    sources = {}
    front = [s for s in sentences if s.role == "front"] or sentences[:1]
    if options.headline:
        headline, sources["headline"] = " ".join(options.headline.split()), "--headline"
    else:
        headline, sources["headline"] = front[0].one_line, "the text's first line"
    id_day = id_date(options.article_id)
    if options.published:
        found = parse_day(options.published)
        if found is None:
            raise DraftError(
                f"--date {options.published!r}: not a day dateparser can read "
                "(write it as 2026-01-20 or January 20, 2026)"
            )
        published, sources["date"] = found, "--date"
    else:
        datelines = [d for s in front if (d := parse_day(s.one_line)) is not None]
        published, sources["date"] = (
            (datelines[0], "the text's dateline") if datelines else (id_day, "the id")
        )
    if options.language:
        language, sources["language"] = options.language, "--language"
    else:
        detected = detect_language(text)
        language, sources["language"] = (
            (detected, "the text's dates") if detected else ("en", "default")
        )
    meta = ArticleMeta(options.article_id, headline, published, language, options.publisher)
    return meta, sources


def with_roles(sentences: list[Sentence], meta: ArticleMeta) -> list[Sentence]:
    """Mark the front-matter sentences that are the headline and the dateline."""
    marked, seen = [], set()
    for sentence in sentences:
        role = sentence.role
        if role == "front" and "headline" not in seen and sentence.one_line == meta.headline:
            role = "headline"
        elif (
            role == "front"
            and "dateline" not in seen
            and parse_day(sentence.one_line) == meta.published
        ):
            role = "dateline"
        seen.add(role)
        marked.append(replace(sentence, role=role))
    return marked


def make_draft(text: str, options: Options, store: Store) -> tuple[ArticleDraft, dict[str, str]]:
    """Return the draft of a text: every finding, nothing written yet."""
    first, _ = segment(text, options.language or "en")
    if not first:
        raise DraftError("the text has no sentence to draft")
    meta, sources = resolve(options, text, first)
    found, left_out = segment(text, meta.language)
    sentences = with_roles(found, meta)
    names = known_names(store)
    mentions = mentions_of_article(sentences, names)
    amounts = [a for s in sentences for a in amounts_in(s, meta.language)]
    # A date is never inside an amount: dateparser reads "$12" as a month.
    dates = [
        d
        for s in sentences
        if s.role != "dateline"
        for d in dates_in(s, meta.published, meta.language)
        if not any(a.start < d.end and d.start < a.end for a in amounts)
    ]
    mentions, linked = split_unlinked(mentions)
    stubs = linked + new_entities(sentences, mentions, dates, {n.entity for n in names})
    shared = shared_entities(store, mentions, meta.language)
    recorded = recorded_values(store, mentions, shared, [*dates, *amounts])
    draft = ArticleDraft(
        meta, text, sentences, left_out, mentions, merged(stubs), dates, amounts, shared, recorded
    )
    return draft, sources


def split_unlinked(mentions: list[Mention]) -> tuple[list[Mention], list[NewEntity]]:
    """Turn matches of Wikidata items no entity links into stubs carrying their QID."""
    kept, stubs = [], []
    for mention in mentions:
        if mention.entity.startswith(iris.WIKIDATA_ENTITY):
            name = slug(mention.label)
            stubs.append(NewEntity(name, mention.label, (mention.sentence,), mention.entity))
            kept.append(replace(mention, entity=iris.ID_NS + name))
        else:
            kept.append(mention)
    return kept, stubs


def merged(stubs: list[NewEntity]) -> list[NewEntity]:
    """Merge stubs of the same slug, keeping every sentence that names them."""
    by_slug: dict[str, NewEntity] = {}
    for stub in stubs:
        old = by_slug.get(stub.slug)
        if old is None:
            by_slug[stub.slug] = stub
        else:
            sentences = tuple(sorted(set(old.sentences) | set(stub.sentences)))
            by_slug[stub.slug] = NewEntity(
                old.slug, old.name, sentences, old.wikidata or stub.wikidata
            )
    return list(by_slug.values())


def draft_article(
    text_file: Path,
    options: Options,
    data_dir: Path,
    store: Store | None = None,
    *,
    force: bool = False,
) -> Drafted:
    """Draft an article into data_dir/articles/<id>/, never touching an existing folder unforced.

    The id, the folder and the text are checked before anything else; names are matched against
    the store (by default, the graph built from data_dir).
    """
    id_date(options.article_id)
    folder = data_dir / "articles" / options.article_id
    if folder.exists() and not force:
        raise DraftError(
            f"{folder} already exists; nothing was written. Choose another --id, or add --force "
            f"to replace its {', '.join(WRITTEN)}"
        )
    try:
        text = article_text(text_file)
        names_from = store if store is not None else open_store(data_dir=data_dir)
    except KgError as error:
        raise DraftError(error.message) from None
    draft, sources = make_draft(text, options, names_from)
    files = {
        ARTICLE_TEXT: text_file.read_bytes(),
        "article.trig": template.article_trig(draft).encode(),
        "claims.trig": template.claims_trig(draft).encode(),
        DRAFT_MARKER: summary.marker(draft, sources).encode(),
    }
    entities = template.entities_trig(draft)
    if entities is not None:
        files["entities.trig"] = entities.encode()
    folder.mkdir(parents=True, exist_ok=True)
    for name in WRITTEN:
        if name not in files:
            (folder / name).unlink(missing_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return Drafted(draft, folder, [folder / n for n in files], sources)
