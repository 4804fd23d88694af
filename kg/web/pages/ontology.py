"""The ontology's documentation page, generated from the ontology graph itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg import iris
from kg.vocab import OWL, RDF, RDFS
from kg.web.pages.labels import Labels
from kg.web.pages.reader import Reader, Term

CLASS_KINDS = (OWL + "Class", RDFS + "Class")
PROPERTY_KINDS = (
    OWL + "ObjectProperty",
    OWL + "DatatypeProperty",
    OWL + "AnnotationProperty",
    RDF + "Property",
)
ONTOLOGY_GRAPH = f"<{iris.ONTOLOGY_GRAPH}>"


@dataclass
class Definition:
    """One class or property of the ontology."""

    iri: str
    kinds: list[str] = field(default_factory=list)
    comments: list[Term] = field(default_factory=list)
    domains: list[str] = field(default_factory=list)
    ranges: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)

    def comment(self, language: str) -> str | None:
        """Return the comment in the reader's language, else English, else any."""
        if not self.comments:
            return None
        return min(self.comments, key=lambda t: (t.lang != language, t.lang != "en")).value


def add(found: list[str], value: Term | None) -> None:
    """Append an IRI to a list once."""
    if value is not None and value.value not in found:
        found.append(value.value)


def terms(reader: Reader) -> dict[str, Definition]:
    """Read the classes and properties declared in the ontology graph."""
    kinds = " ".join(f"<{k}>" for k in (*CLASS_KINDS, *PROPERTY_KINDS))
    rows = reader.select(
        f"SELECT ?term ?kind ?comment ?domain ?range ?parent WHERE {{ GRAPH {ONTOLOGY_GRAPH} {{ "
        f"VALUES ?kind {{ {kinds} }} ?term a ?kind FILTER(isIRI(?term)) "
        f"OPTIONAL {{ ?term <{RDFS}comment> ?comment }} "
        f"OPTIONAL {{ ?term <{RDFS}domain> ?domain FILTER(isIRI(?domain)) }} "
        f"OPTIONAL {{ ?term <{RDFS}range> ?range FILTER(isIRI(?range)) }} "
        f"OPTIONAL {{ ?term <{RDFS}subClassOf>|<{RDFS}subPropertyOf> ?parent "
        "FILTER(isIRI(?parent)) } } } ORDER BY ?term"
    )
    found: dict[str, Definition] = {}
    for row in rows:
        term = found.setdefault(row["term"].value, Definition(row["term"].value))
        add(term.kinds, row["kind"])
        add(term.domains, row.get("domain"))
        add(term.ranges, row.get("range"))
        add(term.parents, row.get("parent"))
        comment = row.get("comment")
        if comment is not None and comment not in term.comments:
            term.comments.append(comment)
    return found


@dataclass
class Documentation:
    """What the ontology's page shows: its own statements, its classes and properties."""

    header: list[dict[str, Term]]
    classes: list[Definition]
    properties: list[Definition]
    labels: Labels


def document(reader: Reader, language: str) -> Documentation:
    """Gather the ontology's documentation from the ontology graph."""
    found = terms(reader)
    header = reader.select(
        f"SELECT ?p ?o WHERE {{ GRAPH {ONTOLOGY_GRAPH} {{ <{iris.ONTOLOGY}> ?p ?o }} }} "
        "ORDER BY ?p ?o"
    )
    mentioned = {iris.ONTOLOGY, *found}
    for term in found.values():
        mentioned.update((*term.kinds, *term.domains, *term.ranges, *term.parents))
    mentioned.update(row["p"].value for row in header)
    mentioned.update(row["o"].value for row in header if row["o"].is_iri)
    labels = Labels.fetch(reader, mentioned, language)
    by_label = sorted(found.values(), key=lambda t: labels.show(t.iri).lower())
    classes = [t for t in by_label if set(t.kinds) & set(CLASS_KINDS)]
    properties = [t for t in by_label if set(t.kinds) & set(PROPERTY_KINDS)]
    return Documentation(header, classes, properties, labels)
