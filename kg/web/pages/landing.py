"""The landing page tells the story: the article, what it got wrong or left open, who and where.

First the article (headline, date, byline, publisher, its opening sentence), then the reviews that
did not confirm a statement, as cards, then the people, countries and places with one line each,
the timeline, the counts and the downloads. The graph's infrastructure (annotations, selectors,
statement nodes) is listed on the "Browse all classes" page, not here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint, Response, render_template

from kg import iris
from kg.graph.void import Example
from kg.vocab import OA, RDF_TYPE, SCHEMA, SCHEMA_HTTP, SEM, SKOS
from kg.web import services
from kg.web.pages import oneline, reviews, timeline
from kg.web.pages.examples import read_examples
from kg.web.pages.labels import Labels
from kg.web.pages.links import current_language
from kg.web.pages.reader import Reader, Row, Term, values

blueprint = Blueprint("landing", __name__)

PEK = iris.ONTOLOGY_NS
FEATURED_EXAMPLES = 6
LEDE_WORDS = 8
"""A sentence this long or longer, ending a sentence, opens the article's text (the headline,
byline, date line and caption before it do not)."""

GROUPS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("people", "People", "Personas", (SCHEMA + "Person",)),
    (
        "places",
        "Countries and places",
        "Países y lugares",
        (
            SCHEMA + "Country",
            SCHEMA + "City",
            SCHEMA + "AdministrativeArea",
            SCHEMA + "GovernmentBuilding",
            SCHEMA + "BodyOfWater",
            SCHEMA + "Place",
            PEK + "Border",
        ),
    ),
    (
        "agreements",
        "Agreements, meetings and institutions",
        "Acuerdos, reuniones e instituciones",
        (
            PEK + "Agreement",
            SEM + "Event",
            PEK + "Delegation",
            SCHEMA + "GovernmentOrganization",
            SCHEMA + "Organization",
        ),
    ),
)
"""The story's entities as the landing page groups them; an entity goes in its first group."""

DISTINCT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
"""The triples of the union default graph, each once however many graphs state it."""
STATEMENTS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
"""The triples of all named graphs, one per graph that states it (the quads)."""
STATUS_COUNTS = (
    f"SELECT ?status (COUNT(DISTINCT ?statement) AS ?n) WHERE {{ "
    f"?statement a <{PEK}ClaimStatement> ; <{PEK}status> ?status }} GROUP BY ?status"
)


@dataclass
class Article:
    """One article of the graph as its story's header shows it."""

    iri: str
    headline: Term | None = None
    subheading: Term | None = None
    published: Term | None = None
    credit: Term | None = None
    publisher: Term | None = None
    lede: Term | None = None
    language: str | None = None


@dataclass
class Member:
    """An entity of the story with its one-line description."""

    iri: str
    line: oneline.Line | None


@dataclass
class Group:
    """The story's entities of one kind."""

    key: str
    title: tuple[str, str]
    members: list[Member] = field(default_factory=list)


@dataclass
class Summary:
    """Everything the landing page shows."""

    triples: int
    """Distinct triples in the union of all graphs."""
    statements: int
    """Triples in named graphs, counted once per graph (a triple in two graphs counts twice)."""
    graphs: list[str]
    articles: list[Article]
    cards: list[reviews.Card]
    groups: list[Group]
    statuses: list[tuple[str, int]]
    timeline: timeline.Timeline | None
    examples: list[Example]
    example_count: int
    labels: Labels

    @property
    def layer_graphs(self) -> list[str]:
        """Return the layer graphs (ontology, article, verified, ...), not the one-claim graphs."""
        return [g for g in self.graphs if g.startswith(iris.GRAPH_NS)]

    @property
    def reviewed_statements(self) -> int:
        """Return how many of the article's statements have a status."""
        return sum(n for _, n in self.statuses)


def count(reader: Reader, text: str) -> int:
    """Return the number a counting query answers."""
    return int(reader.select(text)[0]["n"].value)


def first_value(row_values: list[Row], key: str, language: str) -> Term | None:
    """Return the value of one variable in the reader's language, else English, else any."""
    found = [r[key] for r in row_values if key in r]
    if not found:
        return None
    return min(found, key=lambda t: (t.lang != language, t.lang not in ("en", None), t.value))


def articles_of(reader: Reader, language: str) -> list[Article]:
    """Return the graph's articles with their headline, dates, byline, publisher and lede."""
    props = {
        "headline": "headline",
        "subheading": "alternativeHeadline",
        "published": "datePublished",
        "credit": "creditText",
        "lede": "description",
        "language": "inLanguage",
    }
    optional = " ".join(
        f"OPTIONAL {{ ?article <{SCHEMA}{p}>|<{SCHEMA_HTTP}{p}> ?{k} }}" for k, p in props.items()
    )
    rows = reader.select(
        f"SELECT ?article ?{' ?'.join(props)} ?publisher WHERE {{ "
        f"VALUES ?type {{ <{SCHEMA}NewsArticle> <{SCHEMA_HTTP}NewsArticle> }} ?article a ?type "
        f"{optional} OPTIONAL {{ ?article <{SCHEMA}publisher>/<{SCHEMA}name> ?publisher }} }} "
        "ORDER BY DESC(?published) ?article"
    )
    by_article: dict[str, list[Row]] = {}
    for row in rows:
        by_article.setdefault(row["article"].value, []).append(row)
    found = []
    for iri, found_rows in by_article.items():
        article = Article(iri)
        for key in ("headline", "subheading", "published", "credit", "lede", "publisher"):
            setattr(article, key, first_value(found_rows, key, language))
        language_term = first_value(found_rows, "language", language)
        article.language = language_term.value if language_term else None
        if article.lede is None:
            article.lede = lede(reader, iri)
        found.append(article)
    return found


def lede(reader: Reader, article: str) -> Term | None:
    """Return the first sentence of an article's text (after its headline, byline and caption)."""
    rows = reader.select(
        f"SELECT ?exact ?start WHERE {{ ?sentence <{OA}hasSource> {values([article])} ; "
        f"<{OA}hasSelector>/<{OA}exact> ?exact ; <{OA}hasSelector>/<{OA}start> ?start }} "
        "ORDER BY ?start"
    )
    for row in rows:
        text = row["exact"].value.strip()
        if len(text.split()) >= LEDE_WORDS and text.endswith((".", "!", "?")):
            return row["exact"]
    return None


def grouped_entities(reader: Reader, labels: Labels) -> list[Group]:
    """Return the story's people, places and agreements: what its articles mention or claim."""
    classes = [c for _, _, _, group in GROUPS for c in group]
    rows = reader.select(
        f"SELECT DISTINCT ?entity ?class WHERE {{ VALUES ?class {{ {values(classes)} }} "
        f"{{ ?article <{SCHEMA}mentions> ?entity }} UNION {{ ?claim a <{SCHEMA}Claim> "
        "GRAPH ?claim { { ?entity ?p ?o } UNION { ?o ?p ?entity } } } "
        f'?entity <{RDF_TYPE}> ?class FILTER(STRSTARTS(STR(?entity), "{iris.ID_NS}")) }}'
    )
    types: dict[str, set[str]] = {}
    for row in rows:
        types.setdefault(row["entity"].value, set()).add(row["class"].value)
    groups = [Group(key, (en, es)) for key, en, es, _ in GROUPS]
    placed: dict[str, Group] = {}
    for entity, found in types.items():
        for group, (_, _, _, group_classes) in zip(groups, GROUPS, strict=True):
            if found & set(group_classes):
                placed[entity] = group
                break
    labels.extend(placed)
    lines = oneline.lines(reader, placed, labels)
    for entity, group in placed.items():
        group.members.append(Member(entity, lines.get(entity)))
    for group in groups:
        group.members.sort(key=lambda m: (labels.show(m.iri).lower(), m.iri))
    return [g for g in groups if g.members]


def status_counts(reader: Reader, labels: Labels) -> list[tuple[str, int]]:
    """Return how many of the articles' statements have each status, in the scheme's order."""
    rows = reader.select(STATUS_COUNTS)
    found = [(row["status"].value, int(row["n"].value)) for row in rows]
    order = ("confirmed", "corrected", "disputed", "outdated", "unconfirmed")
    labels.extend(status for status, _ in found)
    rank = {name: i for i, name in enumerate(order)}
    return sorted(found, key=lambda pair: (rank.get(pair[0].rsplit("/", 1)[-1], 99), pair[0]))


def summarize(reader: Reader, language: str, examples: list[Example] | None = None) -> Summary:
    """Query the graph for the landing page."""
    labels = Labels.fetch(reader, [], language)
    found_articles = articles_of(reader, language)
    graphs = [
        row["g"].value
        for row in reader.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    ]
    labels.extend([*graphs, *(a.iri for a in found_articles), SKOS + "Concept"])
    every_example = examples or []
    return Summary(
        triples=count(reader, DISTINCT_TRIPLES),
        statements=count(reader, STATEMENTS),
        graphs=graphs,
        articles=found_articles,
        cards=reviews.cards(reader, reviews.NOT_CONFIRMED, labels),
        groups=grouped_entities(reader, labels),
        statuses=status_counts(reader, labels),
        timeline=timeline.timeline(reader, labels),
        examples=every_example[:FEATURED_EXAMPLES],
        example_count=len(every_example),
        labels=labels,
    )


@blueprint.get("/")
def landing() -> Response:
    """Tell the story: the article, its reviews, its people and places, its timeline."""
    found = services()
    examples = read_examples(found.settings.examples)
    summary = summarize(Reader(found), current_language(), examples)
    body = render_template("landing.html", summary=summary)
    return Response(body, mimetype="text/html")
