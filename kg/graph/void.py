"""Describe the built graph in VoID and SPARQL Service Description terms, from the data itself.

``describe(store)`` runs at build time, after everything else is loaded, and replaces the VoID
graph: sizes, class and property partitions, one subset per named graph, the Wikidata linkset,
the example queries, the exports and the endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, QuerySolutions, Store

from kg import iris
from kg.formats import ALL_FORMATS, RDF_FORMATS
from kg.resources import queries_dir
from kg.sparql_text import query_form, tokenize
from kg.vocab import DCTERMS, OWL_SAME_AS, RDF, RDFS, SCHEMA, SD, SH, VOID, XSD

DATASET = iris.ID_NS + "dataset"
SERVICE = iris.ID_NS + "service"
WIKIDATA = "https://www.wikidata.org/"
ENDPOINT = iris.ENDPOINT
EXAMPLE_NS = iris.ID_NS + "query/"
DUMPS = tuple(f.extension for f in RDF_FORMATS)
"""Extensions of the whole-dataset downloads served at /download/dataset.<extension>."""

SPARQL_EXECUTABLE = {
    "SELECT": "SPARQLSelectExecutable",
    "ASK": "SPARQLAskExecutable",
    "CONSTRUCT": "SPARQLConstructExecutable",
    "DESCRIBE": "SPARQLDescribeExecutable",
}
SPARQL_KEYWORD = {
    "SELECT": "select",
    "ASK": "ask",
    "CONSTRUCT": "construct",
    "DESCRIBE": "describe",
}


@dataclass(frozen=True)
class Example:
    """One example query file of queries/: its name, header comment and text."""

    name: str
    title: str
    description: str
    text: str
    title_es: str = ""
    """The question in Spanish (``# Pregunta:``), when the file gives it."""

    @property
    def iri(self) -> str:
        """Return the example's minted IRI."""
        return EXAMPLE_NS + self.name

    @property
    def form(self) -> str | None:
        """Return the query form (SELECT, ASK, CONSTRUCT, DESCRIBE)."""
        return query_form(tokenize(self.text))


@dataclass(frozen=True)
class Header:
    """A query's leading comment: the question, in English and Spanish, and what it returns."""

    title: str
    title_es: str
    description: str


def sentence_case(text: str) -> str:
    """Return a question with its first letter capitalised.

    >>> sentence_case("how long is the border?")
    'How long is the border?'
    """
    return text[:1].upper() + text[1:]


def header_of(text: str) -> Header:
    r"""Read a query's comment: ``Question:`` (the whole paragraph), ``Pregunta:``, the rest.

    A comment that does not open with ``Question:`` has its first line as its title.

    >>> header_of("# Question: who led\n# each side?\n# Pregunta: ¿quién?\n# Returns x.\nASK {}")
    Header(title='Who led each side?', title_es='¿quién?', description='Returns x.')
    >>> header_of("# Articles\n# Each article.\nSELECT * {}")
    Header(title='Articles', title_es='', description='Each article.')
    """
    comment = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        comment.append(line.lstrip("#").strip())
    if not comment:
        return Header("", "", "")
    if not comment[0].startswith("Question:"):
        return Header(comment[0], "", " ".join(line for line in comment[1:] if line))
    paragraphs: dict[str, list[str]] = {"Question:": [], "Pregunta:": [], "": []}
    current = "Question:"
    for words in comment:
        for marker in ("Question:", "Pregunta:"):
            if words.startswith(marker):
                current, words = marker, words.removeprefix(marker).strip()
        if not words or words.startswith("Returns"):
            current = ""
        if words:
            paragraphs[current].append(words)
    return Header(
        sentence_case(" ".join(paragraphs["Question:"])),
        " ".join(paragraphs["Pregunta:"]),
        " ".join(paragraphs[""]),
    )


def read_example(path: Path) -> Example:
    """Read one query file."""
    text = path.read_text(encoding="utf-8")
    header = header_of(text)
    return Example(path.stem, header.title or path.stem, header.description, text, header.title_es)


def read_examples(folder: Path | None = None) -> list[Example]:
    """Return the example queries (not the checks), in file-name order."""
    return [read_example(path) for path in sorted((folder or queries_dir()).glob("*.rq"))]


Node = NamedNode | BlankNode
Object = NamedNode | BlankNode | Literal


def iri(value: str) -> NamedNode:
    """Return a named node."""
    return NamedNode(value)


def integer(value: int) -> Literal:
    """Return an xsd:integer literal."""
    return Literal(str(value), datatype=NamedNode(XSD + "integer"))


class Description:
    """The quads of the VoID graph, collected before they are written."""

    def __init__(self) -> None:
        self.quads: list[Quad] = []
        self.graph = iri(iris.VOID_GRAPH)

    def add(self, subject: Node, predicate: str, obj: Object) -> None:
        """Add one statement to the VoID graph."""
        self.quads.append(Quad(subject, iri(predicate), obj, self.graph))


def rows(store: Store, text: str) -> Iterator[tuple[object, ...]]:
    """Yield the solutions of a build-time query over every graph but the VoID graph itself."""
    graphs = [g for g in store.named_graphs() if g != iri(iris.VOID_GRAPH)]
    result = store.query(text, default_graph=[DefaultGraph(), *graphs], named_graphs=[*graphs])
    assert isinstance(result, QuerySolutions)
    for solution in result:
        yield tuple(solution[v] for v in result.variables)


def count(store: Store, text: str) -> int:
    """Return the single number a counting query answers."""
    for (value,) in rows(store, text):
        assert isinstance(value, Literal)
        return int(value.value)
    return 0


def namespace_of(term: str) -> str:
    """Return the namespace part of a class or property IRI."""
    cut = max(term.rfind("#"), term.rfind("/"))
    if cut < 0:
        cut = term.rfind(":")
    return term[: cut + 1]


def describe_sizes(store: Store, out: Description, dataset: NamedNode) -> None:
    """State the dataset's sizes, its partitions by class and by property, its vocabularies."""
    out.add(
        dataset, VOID + "triples", integer(count(store, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"))
    )
    entities = count(
        store,
        "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{iris.ID_NS}")) }}',
    )
    out.add(dataset, VOID + "entities", integer(entities))
    for name, text in (
        ("distinctSubjects", "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }"),
        ("distinctObjects", "SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }"),
        ("classes", "SELECT (COUNT(DISTINCT ?c) AS ?n) { ?s a ?c }"),
        ("properties", "SELECT (COUNT(DISTINCT ?p) AS ?n) { ?s ?p ?o }"),
    ):
        out.add(dataset, VOID + name, integer(count(store, text)))
    vocabularies: set[str] = set()
    for cls, members in rows(
        store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c"
    ):
        assert isinstance(cls, NamedNode) and isinstance(members, Literal)
        partition = BlankNode()
        out.add(dataset, VOID + "classPartition", partition)
        out.add(partition, VOID + "class", cls)
        out.add(partition, VOID + "entities", integer(int(members.value)))
        vocabularies.add(namespace_of(cls.value))
    for prop, triples in rows(store, "SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?p"):
        assert isinstance(prop, NamedNode) and isinstance(triples, Literal)
        partition = BlankNode()
        out.add(dataset, VOID + "propertyPartition", partition)
        out.add(partition, VOID + "property", prop)
        out.add(partition, VOID + "triples", integer(int(triples.value)))
        vocabularies.add(namespace_of(prop.value))
    for namespace in sorted(vocabularies):
        out.add(dataset, VOID + "vocabulary", iri(namespace))


def describe_graphs(store: Store, out: Description, dataset: NamedNode) -> list[NamedNode]:
    """Make each named graph a subset of the dataset, with its size."""
    names = []
    for graph, triples in rows(
        store, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
    ):
        assert isinstance(graph, NamedNode) and isinstance(triples, Literal)
        out.add(dataset, VOID + "subset", graph)
        out.add(graph, RDF + "type", iri(VOID + "Dataset"))
        out.add(graph, VOID + "triples", integer(int(triples.value)))
        names.append(graph)
    return names


def describe_wikidata_links(store: Store, out: Description, dataset: NamedNode) -> None:
    """Describe the owl:sameAs links from minted entities to Wikidata items as a linkset."""
    links = count(
        store,
        f"SELECT (COUNT(*) AS ?n) {{ ?s <{OWL_SAME_AS}> ?o "
        f'FILTER(STRSTARTS(STR(?s), "{iris.ID_NS}") '
        f'&& STRSTARTS(STR(?o), "{iris.WIKIDATA_ENTITY}")) }}',
    )
    wikidata = iri(WIKIDATA)
    out.add(wikidata, RDF + "type", iri(VOID + "Dataset"))
    out.add(wikidata, DCTERMS + "title", Literal("Wikidata", language="en"))
    out.add(wikidata, VOID + "uriSpace", Literal(iris.WIKIDATA_ENTITY))
    out.add(wikidata, VOID + "sparqlEndpoint", iri(iris.WIKIDATA_SPARQL))
    linkset = BlankNode()
    out.add(dataset, VOID + "subset", linkset)
    out.add(linkset, RDF + "type", iri(VOID + "Linkset"))
    out.add(linkset, VOID + "linkPredicate", iri(OWL_SAME_AS))
    out.add(linkset, VOID + "subjectsTarget", dataset)
    out.add(linkset, VOID + "objectsTarget", wikidata)
    out.add(linkset, VOID + "triples", integer(links))


def describe_examples(out: Description, examples: Iterable[Example]) -> None:
    """Publish each example query as a SHACL SPARQL executable aimed at the service."""
    for example in examples:
        form = example.form
        if form is None:
            continue
        node = iri(example.iri)
        out.add(node, RDF + "type", iri(SH + "SPARQLExecutable"))
        out.add(node, RDF + "type", iri(SH + SPARQL_EXECUTABLE[form]))
        out.add(node, RDFS + "label", Literal(example.title, language="en"))
        if example.title_es:
            out.add(node, RDFS + "label", Literal(example.title_es, language="es"))
        if example.description:
            out.add(node, RDFS + "comment", Literal(example.description, language="en"))
        out.add(node, SH + SPARQL_KEYWORD[form], Literal(example.text))
        out.add(node, SCHEMA + "target", iri(SERVICE))


def describe_service(out: Description, dataset: NamedNode, graphs: list[NamedNode]) -> None:
    """Describe the SPARQL service that serves the dataset."""
    service = iri(SERVICE)
    out.add(service, RDF + "type", iri(SD + "Service"))
    out.add(service, RDFS + "label", Literal("SPARQL endpoint", language="en"))
    out.add(service, RDFS + "label", Literal("Punto de acceso SPARQL", language="es"))
    out.add(service, SD + "endpoint", iri(ENDPOINT))
    out.add(service, SD + "supportedLanguage", iri(SD + "SPARQL11Query"))
    out.add(service, SD + "feature", iri(SD + "UnionDefaultGraph"))
    for found in ALL_FORMATS:
        out.add(service, SD + "resultFormat", iri(found.iri))
    default = BlankNode()
    out.add(service, SD + "defaultDataset", default)
    out.add(default, RDF + "type", iri(SD + "Dataset"))
    out.add(default, DCTERMS + "source", dataset)
    for graph in graphs:
        named = BlankNode()
        out.add(default, SD + "namedGraph", named)
        out.add(named, SD + "name", graph)


def describe_dataset(out: Description, dataset: NamedNode, modified: datetime) -> None:
    """State what the dataset is, where it lives and how to get it."""
    out.add(dataset, RDF + "type", iri(VOID + "Dataset"))
    out.add(dataset, DCTERMS + "title", Literal("Peru–Ecuador knowledge graph", language="en"))
    out.add(
        dataset, DCTERMS + "title", Literal("Grafo de conocimiento Perú–Ecuador", language="es")
    )
    out.add(
        dataset,
        DCTERMS + "description",
        Literal(
            "The facts of one news article (12 December 2025: Peru and Ecuador agree in Quito to "
            "fight organized crime and illegal mining), each traced to its sentence, with "
            "verified facts, reviews of the article's claims and links to Wikidata.",
            language="en",
        ),
    )
    stamp = modified.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    out.add(dataset, DCTERMS + "modified", Literal(stamp, datatype=iri(XSD + "dateTime")))
    out.add(dataset, VOID + "uriSpace", Literal(iris.ID_NS))
    out.add(dataset, VOID + "sparqlEndpoint", iri(ENDPOINT))
    out.add(dataset, VOID + "rootResource", iri(iris.ONTOLOGY))
    for extension in DUMPS:
        out.add(dataset, VOID + "dataDump", iri(f"{iris.BASE}download/dataset.{extension}"))


def describe(
    store: Store, *, modified: datetime | None = None, examples: Path | None = None
) -> None:
    """Replace the VoID graph with a description of everything else in the store."""
    graph = iri(iris.VOID_GRAPH)
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    out = Description()
    dataset = iri(DATASET)
    describe_dataset(out, dataset, modified or datetime.now(UTC))
    describe_sizes(store, out, dataset)
    graphs = describe_graphs(store, out, dataset)
    describe_wikidata_links(store, out, dataset)
    describe_examples(out, read_examples(examples))
    describe_service(out, dataset, [*graphs, graph])
    store.extend(out.quads)
