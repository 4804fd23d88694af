"""What the landing page says: articles, counts by class, last build, main entities."""

from __future__ import annotations

from dataclasses import dataclass

from kg import iris
from kg.web.pages_labels import Labels
from kg.web.pages_sparql import Term, checked_iri, select

SCHEMA = ("http://schema.org/", "https://schema.org/")
DCTERMS_MODIFIED = "http://purl.org/dc/terms/modified"
DATASET = iris.ID_NS + "dataset"
MAIN_ENTITY_LIMIT = 60

MAIN_ENTITIES = (
    "SELECT ?s (COUNT(*) AS ?mentions) WHERE { "
    "VALUES ?claimClass { <http://schema.org/Claim> <https://schema.org/Claim> } "
    "?claim a ?claimClass . GRAPH ?claim { { ?s ?p ?o } UNION { ?o ?p ?s } } "
    f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iris.ID_NS}")) }} '
    "GROUP BY ?s ORDER BY DESC(?mentions) ?s"
)
"""The story's entities: the minted IRIs the article's claims speak of, most mentioned first."""


@dataclass
class ClassCount:
    """How many minted entities belong to one class."""

    iri: str
    count: int


@dataclass
class Summary:
    """Everything the landing page shows about the graph."""

    triples: int
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


def summarize(language: str) -> Summary:
    """Query the graph for the landing page."""
    triples = int(select("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"].value)
    articles = select(
        "SELECT ?article ?headline ?date WHERE { "
        "VALUES ?type { <http://schema.org/NewsArticle> <https://schema.org/NewsArticle> } "
        "?article a ?type "
        "OPTIONAL { ?article <http://schema.org/headline>|<https://schema.org/headline> "
        "?headline } "
        "OPTIONAL { ?article <http://schema.org/datePublished>|<https://schema.org/datePublished> "
        "?date } } ORDER BY ?date ?article"
    )
    classes = [
        ClassCount(row["class"].value, int(row["n"].value))
        for row in select(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class "
            f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iris.ID_NS}")) '
            f"FILTER NOT EXISTS {{ GRAPH <{iris.VOID_GRAPH}> {{ ?s a ?class }} }} }} "
            "GROUP BY ?class ORDER BY DESC(?n) ?class"
        )
    ]
    main_iris = [row["s"].value for row in select(MAIN_ENTITIES)]
    built = select(
        f"SELECT ?m WHERE {{ GRAPH <{iris.VOID_GRAPH}> {{ <{DATASET}> <{DCTERMS_MODIFIED}> ?m }} }}"
    )
    graphs = [
        row["g"].value
        for row in select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g")
    ]
    labels = Labels.fetch(
        [*main_iris, *(c.iri for c in classes), *(r["article"].value for r in articles), *graphs],
        language,
    )
    named = [(i, label) for i in main_iris if (label := labels.get(i))]
    main = sorted(named[:MAIN_ENTITY_LIMIT], key=lambda pair: pair[1].lower())
    return Summary(
        triples,
        articles,
        classes,
        main,
        built[0]["m"].value if built else None,
        graphs,
        labels,
    )


def members(class_iri: str, language: str) -> tuple[list[tuple[str, str]], Labels]:
    """Return the minted instances of a class with their labels."""
    rows = select(
        f"SELECT DISTINCT ?s WHERE {{ ?s a {checked_iri(class_iri)} "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iris.ID_NS}")) }} ORDER BY ?s'
    )
    found = [row["s"].value for row in rows]
    labels = Labels.fetch([*found, class_iri], language)
    return sorted(((i, labels.show(i)) for i in found), key=lambda p: p[1].lower()), labels
