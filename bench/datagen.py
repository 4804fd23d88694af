"""Generate a news-shaped N-Triples dataset of an exact size, deterministically from a seed.

Synthetic on purpose: every IRI lives under ``https://bench.example.org/`` and every name is a
number ("Country 7", "Person 42"), so nothing here can be mistaken for a fact about the world.
The shape follows the project's graph: countries, people, organizations, events, agreements,
trade flows with decimal amounts and dates, and articles whose claims carry their provenance.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

ID = "https://bench.example.org/id/"
VOCAB = "https://bench.example.org/vocab#"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
A = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
XSD = "http://www.w3.org/2001/XMLSchema#"

COUNTRIES = 50
COMMODITIES = ("gold", "copper", "zinc", "oil", "fish", "coffee", "cocoa", "bananas", "shrimp")
EPOCH = date(2015, 1, 1)
DAYS = 11 * 365


def iri(kind: str, number: int) -> str:
    """Return the IRI of the numbered entity of one kind."""
    return f"<{ID}{kind}/{number}>"


def v(name: str) -> str:
    """Return a term of the benchmark vocabulary."""
    return f"<{VOCAB}{name}>"


def s(name: str) -> str:
    """Return a schema.org term."""
    return f"<{SCHEMA}{name}>"


def p(name: str) -> str:
    """Return a PROV-O term."""
    return f"<{PROV}{name}>"


def typed(value: object, datatype: str) -> str:
    """Return a typed literal."""
    return f'"{value}"^^<{XSD}{datatype}>'


def text(value: str) -> str:
    """Return an English string literal."""
    return f'"{value}"@en'


class World:
    """The fixed population that stories are written about; sizes grow with the target."""

    def __init__(self, triples: int, rng: random.Random) -> None:
        self.rng = rng
        self.people = max(50, triples // 100)
        self.orgs = max(20, triples // 500)

    def country(self) -> str:
        """Pick a country."""
        return iri("country", self.rng.randrange(COUNTRIES))

    def person(self) -> str:
        """Pick a person."""
        return iri("person", self.rng.randrange(self.people))

    def org(self) -> str:
        """Pick an organization."""
        return iri("org", self.rng.randrange(self.orgs))

    def day(self) -> date:
        """Pick a date in the covered decade."""
        return EPOCH + timedelta(days=self.rng.randrange(DAYS))


def countries(rng: random.Random) -> Iterator[tuple[str, str, str]]:
    """Describe the countries."""
    for n in range(COUNTRIES):
        c = iri("country", n)
        yield c, A, v("Country")
        yield c, s("name"), text(f"Country {n}")
        yield c, v("isoCode"), f'"C{n:02d}"'
        yield c, v("population"), typed(rng.randrange(100_000, 200_000_000), "integer")


def organizations(world: World) -> Iterator[tuple[str, str, str]]:
    """Describe the organizations."""
    for n in range(world.orgs):
        o = iri("org", n)
        yield o, A, s("Organization")
        yield o, s("name"), text(f"Organization {n}")
        yield o, v("basedIn"), world.country()
        yield o, v("founded"), typed(world.day() - timedelta(days=20 * 365), "date")


def people(world: World) -> Iterator[tuple[str, str, str]]:
    """Describe the people."""
    for n in range(world.people):
        who = iri("person", n)
        yield who, A, s("Person")
        yield who, s("name"), text(f"Person {n}")
        yield who, v("nationality"), world.country()
        yield who, s("birthDate"), typed(world.day() - timedelta(days=50 * 365), "date")
        yield who, v("memberOf"), world.org()


def story(world: World, n: int) -> Iterator[tuple[str, str, str]]:
    """Write one news story: an event, its trade flows, maybe an agreement, and the article."""
    rng = world.rng
    when = world.day()
    event, article = iri("event", n), iri("article", n)
    place = rng.randrange(COUNTRIES)
    where = iri("country", place)
    yield event, A, s("Event")
    yield event, s("name"), text(f"Event {n}")
    yield event, s("startDate"), typed(when.isoformat(), "date")
    yield event, s("location"), where
    yield event, v("organizer"), world.org()
    participants = [iri("person", k) for k in rng.sample(range(world.people), 2)]
    for who in participants:
        yield event, v("participant"), who
    about = [event]
    if n % 4 == 0:
        agreement = iri("agreement", n // 4)
        about.append(agreement)
        yield agreement, A, v("Agreement")
        yield agreement, s("name"), text(f"Agreement {n // 4}")
        yield agreement, v("signedOn"), typed(when.isoformat(), "date")
        yield agreement, v("signedAt"), event
        yield agreement, v("party"), where
        yield agreement, v("party"), iri("country", (place + 1) % COUNTRIES)
        for who in participants:
            yield agreement, v("signatory"), who
        yield agreement, p("wasDerivedFrom"), article
    for k in range(3):
        flow = iri("flow", 3 * n + k)
        about.append(flow)
        amount = round(10 ** rng.uniform(3, 9), 2)
        yield flow, A, v("TradeFlow")
        yield flow, v("exporter"), where
        yield flow, v("importer"), world.country()
        yield flow, v("commodity"), f'"{rng.choice(COMMODITIES)}"'
        yield flow, v("amountUSD"), typed(f"{amount:.2f}", "decimal")
        yield flow, v("date"), typed((when + timedelta(days=k)).isoformat(), "date")
        yield flow, p("wasDerivedFrom"), article
    published = when + timedelta(days=rng.randrange(3))
    yield article, A, s("NewsArticle")
    yield article, s("headline"), text(f"Headline of story {n}")
    yield article, s("datePublished"), typed(f"{published.isoformat()}T08:00:00Z", "dateTime")
    yield article, s("publisher"), world.org()
    yield article, p("wasAttributedTo"), world.org()
    for thing in about:
        yield article, s("about"), thing
    for who in participants:
        yield article, s("mentions"), who


def triples(count: int, seed: int = 7) -> Iterator[str]:
    """Yield exactly count N-Triples lines (with their newline), the same for the same seed."""
    rng = random.Random(seed)
    world = World(count, rng)

    def everything() -> Iterator[tuple[str, str, str]]:
        yield from countries(rng)
        yield from organizations(world)
        yield from people(world)
        n = 0
        while True:
            yield from story(world, n)
            n += 1

    for emitted, (subject, predicate, obj) in enumerate(everything()):
        if emitted == count:
            return
        yield f"{subject} {predicate} {obj} .\n"


def dataset_path(cache: Path, count: int, seed: int = 7) -> Path:
    """Return the cache file for a size and seed, writing it on first use."""
    path = cache / f"news-{count}-s{seed}.nt"
    if not path.exists():
        cache.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".nt.part")
        with partial.open("w", encoding="utf-8") as out:
            out.writelines(triples(count, seed))
        partial.rename(path)
    return path
