"""The ontology documents every minted term, and every minted class has a shape tested both ways."""

from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef

from kg import iris
from kg.graph.build import open_store
from kg.resources import ontology_dir

FIXTURES = Path(__file__).parent / "fixtures" / "shapes"
SH = Namespace("http://www.w3.org/ns/shacl#")


def load(name: str) -> Graph:
    graph = Graph()
    graph.parse(ontology_dir() / name, format="turtle")
    return graph


ONTOLOGY = load("peru-ecuador-kg.ttl")
SHAPES = load("shapes.ttl")
MINTED_CLASSES = sorted(
    str(c) for c in ONTOLOGY.subjects(RDF.type, OWL.Class) if str(c).startswith(iris.ONTOLOGY_NS)
)
MINTED_TERMS = sorted(
    str(t)
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    for t in ONTOLOGY.subjects(RDF.type, kind)
    if str(t).startswith(iris.ONTOLOGY_NS)
)


def test_the_ontology_has_its_iri_and_versions():
    ontology = URIRef(iris.ONTOLOGY)
    assert (ontology, RDF.type, OWL.Ontology) in ONTOLOGY
    assert ONTOLOGY.value(ontology, OWL.versionInfo) == Literal("0.1.0")
    assert ONTOLOGY.value(ontology, OWL.versionIRI) == URIRef(iris.ONTOLOGY_NS + "0.1.0")


def test_the_minted_classes_are_the_eleven_the_model_needs():
    assert [c.removeprefix(iris.ONTOLOGY_NS) for c in MINTED_CLASSES] == [
        "Agreement",
        "Border",
        "Commitment",
        "Delegation",
        "DrugTransit",
        "Office",
        "ProducerRanking",
        "Sentence",
        "Tenure",
        "TradeFlow",
        "VerifiedFact",
    ]


@pytest.mark.parametrize("term", MINTED_TERMS, ids=lambda t: t.removeprefix(iris.ONTOLOGY_NS))
def test_every_minted_term_has_english_and_spanish_labels_and_a_comment(term):
    labels = {label.language for label in ONTOLOGY.objects(URIRef(term), RDFS.label)}
    comments = {c.language for c in ONTOLOGY.objects(URIRef(term), RDFS.comment)}
    assert labels == {"en", "es"}
    assert "en" in comments


def test_every_minted_term_the_data_uses_is_declared():
    store = open_store()
    used = {
        row["t"].value
        for row in store.query(
            "SELECT DISTINCT ?t WHERE { GRAPH ?g { { ?s ?t ?o } UNION { ?s a ?t } } "
            f'FILTER(STRSTARTS(STR(?t), "{iris.ONTOLOGY_NS}")) }}'
        )
    }
    assert used - set(MINTED_TERMS) == set()


@pytest.mark.parametrize("cls", MINTED_CLASSES, ids=lambda c: c.removeprefix(iris.ONTOLOGY_NS))
def test_every_minted_class_has_a_shape(cls):
    assert list(SHAPES.subjects(SH.targetClass, URIRef(cls))) == [
        URIRef(iris.SHAPES_NS + cls.removeprefix(iris.ONTOLOGY_NS))
    ]


def fixture_report(path: Path) -> tuple[bool, set[str]]:
    data = Graph()
    data.parse(path, format="turtle")
    conforms, report, _ = pyshacl.validate(data, shacl_graph=SHAPES)
    focus_types = {
        str(t)
        for result in report.subjects(RDF.type, SH.ValidationResult)
        for t in data.objects(report.value(result, SH.focusNode), RDF.type)
    }
    return conforms, focus_types


@pytest.mark.parametrize("cls", MINTED_CLASSES, ids=lambda c: c.removeprefix(iris.ONTOLOGY_NS))
def test_the_valid_fixture_conforms(cls):
    conforms, _ = fixture_report(FIXTURES / f"{cls.removeprefix(iris.ONTOLOGY_NS)}-valid.ttl")
    assert conforms


@pytest.mark.parametrize("cls", MINTED_CLASSES, ids=lambda c: c.removeprefix(iris.ONTOLOGY_NS))
def test_the_invalid_fixture_violates_its_own_class_shape(cls):
    path = FIXTURES / f"{cls.removeprefix(iris.ONTOLOGY_NS)}-invalid.ttl"
    conforms, focus_types = fixture_report(path)
    assert not conforms
    assert cls in focus_types
