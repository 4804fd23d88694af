"""What a draft finds in an article's text, before anything is written as RDF.

Every position is a pair of code-point offsets into the text exactly as stored (``article.txt``);
the template module turns these records into TriG, so the model can change in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class Sentence:
    """A statement-making span of the text, numbered from 1, with its quote context."""

    number: int
    start: int
    end: int
    exact: str
    role: str
    prefix: str | None = None
    suffix: str | None = None

    @property
    def one_line(self) -> str:
        """Return the sentence with its line breaks and runs of spaces made single spaces."""
        return " ".join(self.exact.split())


@dataclass(frozen=True)
class LeftOut:
    """A span of the text that makes no statement (a heading, a question), and why."""

    start: int
    end: int
    text: str
    reason: str


@dataclass(frozen=True)
class Mention:
    """A name in a sentence matched to an entity of the graph."""

    sentence: int
    start: int
    end: int
    surface: str
    entity: str
    label: str


@dataclass(frozen=True)
class NewEntity:
    """A capitalised name no entity's label matches: a stub a person types and checks."""

    slug: str
    name: str
    sentences: tuple[int, ...]
    wikidata: str | None = None


@dataclass(frozen=True)
class DateValue:
    """A date found in a sentence, at the precision the text gives (day, month or year)."""

    sentence: int
    start: int
    end: int
    surface: str
    day: date
    precision: str
    relative: bool = False

    @property
    def lexical(self) -> str:
        """Return the XSD lexical form at the date's precision ("2022-10" for a month)."""
        width = {"day": 10, "month": 7, "year": 4}[self.precision]
        return self.day.isoformat()[:width]

    @property
    def datatype(self) -> str:
        """Return the XSD datatype's local name for the date's precision."""
        return {"day": "date", "month": "gYearMonth", "year": "gYear"}[self.precision]


@dataclass(frozen=True)
class Amount:
    """A number with its currency or unit found in a sentence."""

    sentence: int
    start: int
    end: int
    surface: str
    value: Decimal
    currency: str | None = None
    unit: str | None = None
    unit_code: str | None = None
    unit_name: str | None = None


@dataclass(frozen=True)
class Shared:
    """A shared entity a sentence speaks of without naming it: it names the entity's values.

    "Jerí has been president of Peru" names the holder and the office of a shared tenure.
    """

    sentence: int
    entity: str
    label: str
    keys: tuple[str, ...]
    """The functional properties whose values the sentence names (pek:holder, pek:office)."""


@dataclass(frozen=True)
class Recorded:
    """A verified best value that a date or amount of a sentence may state again, or compete with.

    The value is the record's: a date literal (lexical form and datatype), or a number and the
    unit of its value node.
    """

    sentence: int
    found: DateValue | Amount
    subject: str
    property: str
    fact: str
    lexical: str
    datatype: str | None = None
    unit: str | None = None
    same: bool = False
    """The sentence's value is the record's own, so it is a triple and competes with nothing."""


@dataclass(frozen=True)
class ArticleMeta:
    """The article's own description: id, headline, date, publisher and language."""

    article_id: str
    headline: str
    published: date
    language: str
    publisher: str | None = None


@dataclass
class ArticleDraft:
    """Everything a draft proposes for one article."""

    meta: ArticleMeta
    text: str
    sentences: list[Sentence]
    left_out: list[LeftOut] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    new_entities: list[NewEntity] = field(default_factory=list)
    dates: list[DateValue] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)
    shared: list[Shared] = field(default_factory=list)
    recorded: list[Recorded] = field(default_factory=list)

    def of_sentence(self, number: int) -> tuple[list[Mention], list[DateValue], list[Amount]]:
        """Return the mentions, dates and amounts found in one sentence."""
        return (
            [m for m in self.mentions if m.sentence == number],
            [d for d in self.dates if d.sentence == number],
            [a for a in self.amounts if a.sentence == number],
        )

    def about_sentence(self, number: int) -> tuple[list[Shared], list[Recorded]]:
        """Return the shared entities one sentence speaks of and the record's values it meets."""
        return (
            [s for s in self.shared if s.sentence == number],
            [r for r in self.recorded if r.sentence == number],
        )
