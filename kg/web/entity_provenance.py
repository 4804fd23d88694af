"""The article sentence behind each claim on an entity page, in its context, with its reviews."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.web.entity_view import Entity
from kg.web.pages_sparql import Term


@dataclass
class Review:
    """A review of a claim: its verdict, the verified value and the source."""

    iri: str
    rating: str | None = None
    body: str | None = None
    verified: list[Term] = field(default_factory=list)
    sources: list[Term] = field(default_factory=list)


@dataclass
class Source:
    """The sentence a claim comes from, with the text around it."""

    claim: str
    sentence_iri: str
    sentence: str
    before: str
    after: str
    article: str | None
    reviews: list[Review] = field(default_factory=list)


def sources(entity: Entity, language: str) -> list[Source]:
    """Return the sources of the claims that state the entity's facts."""
    return []
