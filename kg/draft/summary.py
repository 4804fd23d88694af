"""The table ``kg draft`` prints and writes to DRAFT.md: what it found, what is left to do."""

from __future__ import annotations

from collections import Counter

from kg.draft.document import ArticleDraft

HEADER = ("found", "count", "still to do by hand")


def rows(draft: ArticleDraft) -> list[tuple[str, str, str]]:
    """Return the summary's rows: what was found, how many, and what a person must still do."""
    left = Counter(span.reason for span in draft.left_out)
    left_text = ", ".join(
        f"{n} {reason}{'s' if n > 1 else ''}" for reason, n in sorted(left.items())
    )
    entities = {m.entity for m in draft.mentions}
    drafted = [s for s in draft.sentences if s.role not in ("headline", "dateline")]
    written = len(draft.sentences) - len(drafted)
    relative = sum(1 for d in draft.dates if d.relative)
    return [
        (
            "sentences",
            str(len(draft.sentences)),
            f"check the spans left out ({left_text}): add any that states something"
            if draft.left_out
            else "check the sentence boundaries",
        ),
        (
            "entity mentions",
            f"{len(draft.mentions)} ({len(entities)} entities)",
            "use them in the statements; link the names the draft missed",
        ),
        (
            "new entities proposed",
            str(len(draft.new_entities)),
            "give each its type and check its Spanish label, or delete it (entities.trig)"
            if draft.new_entities
            else "-",
        ),
        (
            "dates",
            str(len(draft.dates)),
            f"check the {relative} whose year comes from the article's date"
            if relative
            else "use them in the statements",
        ),
        (
            "amounts",
            str(len(draft.amounts)),
            "use them in the statements" if draft.amounts else "-",
        ),
        (
            "shared entities spoken of",
            str(len({(s.sentence, s.entity) for s in draft.shared})),
            "write on them what the sentence says of them (never mint one again)"
            if draft.shared
            else "-",
        ),
        (
            "values the record has",
            str(len(draft.recorded)),
            'keep the commented statement where the sentence states it (delete its "# "), '
            "else delete it"
            if draft.recorded
            else "-",
        ),
        (
            "claims",
            str(len(draft.sentences)),
            f"write the statements of {len(drafted)} claims ({written} written whole), "
            'then delete each one\'s creativeWorkStatus "Draft" line',
        ),
    ]


def table(draft: ArticleDraft) -> str:
    """Return the summary as a Markdown table (readable as plain text too)."""
    found = [HEADER, *rows(draft)]
    widths = [max(len(row[i]) for row in found) for i in range(3)]

    def line(row: tuple[str, str, str]) -> str:
        return "| " + " | ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(found[0]), rule, *(line(r) for r in found[1:])])


def about(draft: ArticleDraft, sources: dict[str, str]) -> str:
    """Return the article's description, each value with where it came from."""
    meta = draft.meta
    return "\n".join(
        [
            f"headline:  {meta.headline} ({sources['headline']})",
            f"date:      {meta.published.isoformat()} ({sources['date']})",
            f"language:  {meta.language} ({sources['language']})",
            f"publisher: {meta.publisher or 'none given (--publisher)'}",
        ]
    )


def marker(draft: ArticleDraft, sources: dict[str, str]) -> str:
    """Return the text of DRAFT.md: this folder is a draft, and the loop that finishes it."""
    return (
        f"# Draft: {draft.meta.article_id}\n\n"
        "This folder is a draft written by `kg draft`: `kg build` and `kg serve` leave it out,\n"
        "`kg validate` checks it. Review it, then delete this file to publish the article.\n\n"
        f"{about(draft, sources)}\n\n"
        f"{table(draft)}\n\n"
        "The loop: edit `claims.trig` (the statements: a value that competes with the verified\n"
        "record's is an `rdf:Statement`, the rest are triples), `article.trig` (the claim labels,\n"
        "`pek:accordingTo` where the sentence attributes the claim, and the\n"
        '`schema:creativeWorkStatus "Draft"` lines) and `entities.trig` (new entities), run\n'
        "`kg validate` until it prints `ok` (each problem it names says what to write), delete\n"
        "this file, run `make test`.\n"
    )
