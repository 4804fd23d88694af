"""The ontology documents every minted term; each class and term shape is tested both ways."""

from pathlib import Path

import pyshacl
import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef

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
    assert ONTOLOGY.value(ontology, OWL.versionInfo) == Literal("0.2.0")
    assert ONTOLOGY.value(ontology, OWL.versionIRI) == URIRef(iris.ONTOLOGY_NS + "0.2.0")
    assert ONTOLOGY.value(ontology, OWL.priorVersion) == URIRef(iris.ONTOLOGY_NS + "0.1.0")


def test_the_minted_classes_are_the_thirteen_the_model_needs():
    assert [c.removeprefix(iris.ONTOLOGY_NS) for c in MINTED_CLASSES] == [
        "Agreement",
        "Border",
        "ClaimStatement",
        "Commitment",
        "Delegation",
        "DrugTransit",
        "Office",
        "ProducerRanking",
        "Sentence",
        "Tenure",
        "TradeFlow",
        "VerifiedFact",
        "VerifiedStatement",
    ]


SCHEMES = {
    "verdicts": {"confirmed", "rounded", "outdated", "unconfirmed", "misattributed", "corrected"},
    "statuses": {"confirmed", "corrected", "disputed", "unconfirmed", "outdated"},
    "wikidata-lookups": {"linked", "none-verified", "not-looked-up"},
}
TERM_SHAPES = ["ClaimReview", "DateBounds", "Verdict", "WikidataLookup"]
"""Shapes of new terms that are not classes (a rating, bounds, an outcome), tested both ways too."""


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_each_concept_scheme_has_its_concepts_labelled_in_english_and_spanish(scheme):
    iri = URIRef(iris.ONTOLOGY_NS + scheme)
    assert (iri, RDF.type, SKOS.ConceptScheme) in ONTOLOGY
    concepts = set(ONTOLOGY.subjects(SKOS.inScheme, iri))
    assert {str(c).rsplit("/", 1)[-1] for c in concepts} == SCHEMES[scheme]
    assert set(ONTOLOGY.objects(iri, SKOS.hasTopConcept)) == concepts
    for concept in concepts:
        assert {label.language for label in ONTOLOGY.objects(concept, SKOS.prefLabel)} == {
            "en",
            "es",
        }
        assert {d.language for d in ONTOLOGY.objects(concept, SKOS.definition)} == {"en", "es"}


def test_each_verdict_is_a_rating_on_one_scale_mapped_to_one_status():
    statuses = set(ONTOLOGY.subjects(SKOS.inScheme, URIRef(iris.ONTOLOGY_NS + "statuses")))
    schema = Namespace("https://schema.org/")
    found = {}
    for verdict in ONTOLOGY.subjects(SKOS.inScheme, URIRef(iris.ONTOLOGY_NS + "verdicts")):
        assert (verdict, RDF.type, schema.Rating) in ONTOLOGY
        assert (
            ONTOLOGY.value(verdict, schema.worstRating),
            ONTOLOGY.value(verdict, schema.bestRating),
        ) == (
            Literal(1),
            Literal(5),
        )
        [status] = ONTOLOGY.objects(verdict, SKOS.broadMatch)
        assert status in statuses
        found[str(verdict).rsplit("/", 1)[-1]] = (
            int(ONTOLOGY.value(verdict, schema.ratingValue)),
            str(status).rsplit("/", 1)[-1],
        )
    assert found == {
        "confirmed": (5, "confirmed"),
        "rounded": (4, "corrected"),
        "outdated": (4, "outdated"),
        "unconfirmed": (3, "unconfirmed"),
        "misattributed": (2, "disputed"),
        "corrected": (1, "corrected"),
    }


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


def shapes_violated(path: Path) -> set[str]:
    """Return the node shapes a fixture violates (a property shape counts for its node shape)."""
    data = Graph()
    data.parse(path, format="turtle")
    _, report, _ = pyshacl.validate(data, shacl_graph=SHAPES)
    found = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(result, SH.sourceShape)
        owner = SHAPES.value(predicate=SH.property, object=shape) or shape
        found.add(str(owner).removeprefix(iris.SHAPES_NS))
    return found


@pytest.mark.parametrize("shape", TERM_SHAPES)
def test_a_term_shape_passes_its_valid_fixture(shape):
    assert shapes_violated(FIXTURES / f"{shape}-valid.ttl") == set()


@pytest.mark.parametrize("shape", TERM_SHAPES)
def test_a_term_shape_fails_its_invalid_fixture(shape):
    assert shape in shapes_violated(FIXTURES / f"{shape}-invalid.ttl")
