"""Cut an article's text into the sentences that make statements, in code-point offsets.

The text's layout says what a span is: blank lines separate blocks, a line opening with a
bullet starts a list item, other lines continue the one above (hard wrapping). The single-line
blocks before the first paragraph of prose are the front matter (headline, byline, date, image
caption, subheading), one span each. After it, a single-line block that does not end a sentence
is a section heading, and a question asks rather than states: both are left out, and said to be.
Inside a paragraph or an item, sentence boundaries come from ``sentencex`` (Wikimedia's
segmenter, which knows the abbreviations of some 300 languages).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sentencex

from kg.draft.document import LeftOut, Sentence

BULLETS = "•‣◦▪●*-–—·"
TERMINAL = ".!?…"
CLOSING = "\"'”’»)]"
CONTEXT = 32
"""Code points of prefix and suffix given to a quote that occurs more than once in the text."""


@dataclass(frozen=True)
class Item:
    """One paragraph or list item: where its content starts and ends, and how many lines."""

    start: int
    end: int
    lines: int
    bullet: bool


def lines_of(text: str) -> Iterator[tuple[int, str]]:
    """Yield each line's offset and content (without its line break: LF, CRLF or CR)."""
    offset = 0
    for line in text.splitlines(keepends=True):
        yield offset, line.rstrip("\r\n")
        offset += len(line)


def bullet_width(line: str) -> int:
    """Return how many code points the bullet marker and its indentation take (0: none)."""
    body = line.lstrip()
    if len(body) > 1 and body[0] in BULLETS and body[1].isspace():
        return len(line) - len(body) + 1
    return 0


def blocks(text: str) -> list[list[Item]]:
    """Split the text into blocks (separated by blank lines) of items (paragraphs, bullets)."""
    found: list[list[Item]] = []
    current: list[Item] = []
    for offset, line in lines_of(text):
        if not line.strip():
            if current:
                found.append(current)
            current = []
            continue
        width = bullet_width(line)
        content = line[width:]
        start = offset + width + (len(content) - len(content.lstrip()))
        end = offset + len(line.rstrip())
        if current and not width:
            last = current[-1]
            current[-1] = Item(last.start, end, last.lines + 1, last.bullet)
        else:
            current.append(Item(start, end, 1, bool(width)))
    if current:
        found.append(current)
    return found


def ends_a_sentence(span: str) -> bool:
    """Tell whether a span ends with terminal punctuation (closing quotes aside)."""
    stripped = span.rstrip().rstrip(CLOSING)
    return bool(stripped) and stripped[-1] in TERMINAL


def sentences_in(text: str, item: Item, language: str) -> list[tuple[int, int]]:
    """Return the sentence spans inside one item, as offsets into the whole text."""
    # Line breaks inside an item are hard wrapping: the segmenter sees spaces, so that it does
    # not take them for paragraph breaks, and the offsets stay those of the text.
    chunk = text[item.start : item.end].replace("\r", " ").replace("\n", " ")
    spans = []
    for boundary in sentencex.get_sentence_boundaries(language, chunk):
        piece = chunk[boundary["start_index"] : boundary["end_index"]]
        if not piece.strip():
            continue
        lead = len(piece) - len(piece.lstrip())
        start = item.start + boundary["start_index"] + lead
        spans.append((start, start + len(piece.strip())))
    return spans


def segment(text: str, language: str = "en") -> tuple[list[Sentence], list[LeftOut]]:
    """Return the statement-making sentences of a text and the spans left out, in order."""
    spans: list[tuple[int, int, str]] = []
    left_out: list[LeftOut] = []
    in_body = False
    for block in blocks(text):
        prose = any(ends_a_sentence(text[i.start : i.end]) for i in block)
        if not in_body and not prose:
            spans += [(i.start, i.end, "front") for i in block]
            continue
        in_body = True
        if len(block) == 1 and block[0].lines == 1 and not block[0].bullet and not prose:
            left_out.append(
                LeftOut(
                    block[0].start, block[0].end, text[block[0].start : block[0].end], "heading"
                )
            )
            continue
        for item in block:
            role = "item" if item.bullet else "body"
            for start, end in sentences_in(text, item, language):
                if text[start:end].rstrip(CLOSING).endswith("?"):
                    left_out.append(LeftOut(start, end, text[start:end], "question"))
                else:
                    spans.append((start, end, role))
    return numbered(text, spans), left_out


def numbered(text: str, spans: list[tuple[int, int, str]]) -> list[Sentence]:
    """Give each span its number, and prefix and suffix context to a quote found twice or more."""
    found = []
    for number, (start, end, role) in enumerate(spans, start=1):
        exact = text[start:end]
        repeated = occurrences(text, exact) > 1
        found.append(
            Sentence(
                number,
                start,
                end,
                exact,
                role,
                prefix=text[max(0, start - CONTEXT) : start] if repeated else None,
                suffix=text[end : end + CONTEXT] if repeated else None,
            )
        )
    return found


def occurrences(text: str, quote: str) -> int:
    """Count where a quote occurs in the text, overlaps included."""
    count, at = 0, text.find(quote)
    while at != -1:
        count += 1
        at = text.find(quote, at + 1)
    return count
