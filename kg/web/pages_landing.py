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

SUPPORTING_NAMESPACES = (
    "http://www.w3.org/ns/oa#",
    "http://www.w3.org/ns/prov#",
    "http://rdfs.org/ns/void#",
    "http://www.w3.org/ns/sparql-service-description#",
    "http://www.w3.org/ns/shacl#",
)
"""Classes of the supporting layer (selectors, provenance, VoID): not the main entities."""

SUPPORTING_CLASSES = frozenset(
    f"{ns}{name}" for ns in SCHEMA for name in ("ClaimReview", "Claim", "Rating", "WebPage")
)


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


def is_main(class_iri: str) -> bool:
    """Tell whether instances of a class are the story's entities, not its supporting layer."""
    if class_iri in SUPPORTING_CLASSES or class_iri.startswith(SUPPORTING_NAMESPACES):
        return False
    return not any(
        word in class_iri.rsplit("/", 1)[-1] for word in ("Sentence", "Selector", "Claim")
    )


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
            f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iris.ID_NS}")) }} '
            "GROUP BY ?class ORDER BY DESC(?n) ?class"
        )
    ]
    main_rows = select(
        "SELECT ?s (SAMPLE(?class) AS ?c) (COUNT(?link) AS ?links) WHERE { ?s a ?class "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iris.ID_NS}")) '
        "OPTIONAL { ?link ?p ?s } } GROUP BY ?s ORDER BY DESC(?links) ?s"
    )
    main_iris = [row["s"].value for row in main_rows if is_main(row["c"].value)]
    main_iris = main_iris[:MAIN_ENTITY_LIMIT]
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
    main = sorted(((i, labels.show(i)) for i in main_iris), key=lambda pair: pair[1].lower())
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
