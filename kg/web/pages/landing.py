"""The landing page: what the graph holds (counted exactly), its articles and main entities."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, Response, render_template

from kg import iris
from kg.vocab import DCTERMS, SCHEMA, SCHEMA_HTTP
from kg.web import services
from kg.web.pages.editor import editor_context
from kg.web.pages.labels import Labels
from kg.web.pages.links import current_language
from kg.web.pages.reader import Reader, Term

blueprint = Blueprint("landing", __name__)

DATASET = iris.ID_NS + "dataset"
MAIN_ENTITY_LIMIT = 60

MAIN_ENTITIES = (
    "SELECT ?s (COUNT(*) AS ?mentions) WHERE { "
    f"VALUES ?claimClass {{ <{SCHEMA_HTTP}Claim> <{SCHEMA}Claim> }} "
    "?claim a ?claimClass . GRAPH ?claim { { ?s ?p ?o } UNION { ?o ?p ?s } } "
    f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iris.ID_NS}")) }} '
    "GROUP BY ?s ORDER BY DESC(?mentions) ?s"
)
"""The story's entities: the minted IRIs the article's claims speak of, most mentioned first."""

DISTINCT_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
"""The triples of the union default graph, each once however many graphs state it."""
STATEMENTS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
"""The triples of all named graphs, one per graph that states it (the quads)."""


@dataclass
class ClassCount:
    """How many minted entities belong to one class."""

    iri: str
    count: int


@dataclass
class Summary:
    """Everything the landing page shows about the graph."""

    triples: int
    """Distinct triples in the union of all graphs."""
    statements: int
    """Triples in named graphs, counted once per graph (a triple in two graphs counts twice)."""
    articles: list[dict[str, Term]]
    classes: list[ClassCount]
    main: list[tuple[str, str]]
    last_build: str | None
    graphs: list[str]
    labels: Labels

    @property
    def layer_graphs(self) -> list[str]:
        """Return the layer graphs (ontology, article, verified, ...), not the one-claim graphs."""
        return [g for g in self.graphs if g.startswith(iris.GRAPH_NS)]


def count(reader: Reader, text: str) -> int:
    """Return the number a counting query answers."""
    return int(reader.select(text)[0]["n"].value)


def summarize(reader: Reader, language: str) -> Summary:
    """Query the graph for the landing page."""
    articles = reader.select(
        "SELECT ?article ?headline ?date WHERE { "
        f"VALUES ?type {{ <{SCHEMA_HTTP}NewsArticle> <{SCHEMA}NewsArticle> }} "
        "?article a ?type "
        f"OPTIONAL {{ ?article <{SCHEMA_HTTP}headline>|<{SCHEMA}headline> ?headline }} "
        f"OPTIONAL {{ ?article <{SCHEMA_HTTP}datePublished>|<{SCHEMA}datePublished> ?date }} }} "
        "ORDER BY ?date ?article"
    )
    classes = [
        ClassCount(row["class"].value, int(row["n"].value))
        for row in reader.select(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class "
            f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iris.ID_NS}")) '
            f"FILTER NOT EXISTS {{ GRAPH <{iris.VOID_GRAPH}> {{ ?s a ?class }} }} }} "
            "GROUP BY ?class ORDER BY DESC(?n) ?class"
        )
    ]
    main_iris = [row["s"].value for row in reader.select(MAIN_ENTITIES)]
    built = reader.select(
        f"SELECT ?m WHERE {{ GRAPH <{iris.VOID_GRAPH}> {{ <{DATASET}> <{DCTERMS}modified> ?m }} }}"
    )
    graphs = [
        row["g"].value
        for row in reader.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    ]
    labels = Labels.fetch(
        reader,
        [*main_iris, *(c.iri for c in classes), *(r["article"].value for r in articles), *graphs],
        language,
    )
    named = [(i, label) for i in main_iris if (label := labels.get(i))]
    main = sorted(named[:MAIN_ENTITY_LIMIT], key=lambda pair: pair[1].lower())
    return Summary(
        count(reader, DISTINCT_TRIPLES),
        count(reader, STATEMENTS),
        articles,
        classes,
        main,
        built[0]["m"].value if built else None,
        graphs,
        labels,
    )


@blueprint.get("/")
def landing() -> Response:
    """Show what the graph holds, the main entities, the exports and the query editor."""
    found = services()
    summary = summarize(Reader(found), current_language())
    body = render_template("landing.html", summary=summary, **editor_context(found.settings))
    return Response(body, mimetype="text/html")
