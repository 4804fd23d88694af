"""The build loads every layer into its graph, reopens a built store and rebuilds on change."""

import pytest
from pyoxigraph import NamedNode, Quad
from support.articles import REFERENCE
from support.articles import data_copy as copy_of_data

from kg import iris
from kg.graph.build import FINGERPRINT_FILE, open_store
from kg.graph.sources import DataError, article_ids
from kg.resources import DATA_DIR

CLAIM_NS = iris.ID_NS + f"claim/{REFERENCE}/"
FACT_NS = iris.ID_NS + "fact/"
LAYERS, VOID, WIKIDATA = 5740, 1261, 175
"""Quads of the reference data's layers (built graphs included), its VoID graph, the extract."""
MARK = Quad(NamedNode("urn:x:s"), NamedNode("urn:x:p"), NamedNode("urn:x:o"), NamedNode("urn:x:g"))


def graph_sizes(store) -> dict[str, int]:
    rows = store.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {row["g"].value: int(row["n"].value) for row in rows}


@pytest.fixture
def data_copy(tmp_path):
    """Return a copy of the data holding the reference article only (the sizes pinned here)."""
    return copy_of_data(tmp_path / "data", articles=[REFERENCE])


def test_the_shipped_graph_has_each_layer_in_its_named_graph(data_copy):
    sizes = graph_sizes(open_store(data_dir=data_copy))
    layers = {g: n for g, n in sizes.items() if not g.startswith((CLAIM_NS, FACT_NS))}
    assert layers == {
        iris.ONTOLOGY_GRAPH: 700,
        iris.GRAPH_NS + "entities": 328,
        iris.VERIFIED_GRAPH: 173,
        iris.REVIEWS_GRAPH: 512,
        iris.GRAPH_NS + f"article/{REFERENCE}": 473,
        iris.GRAPH_NS + "statements": 2439,
        iris.GRAPH_NS + "inferred": 821,
        iris.VOID_GRAPH: VOID,
        iris.WIKIDATA_GRAPH: WIKIDATA,
    }
    claims = {g: n for g, n in sizes.items() if g.startswith(CLAIM_NS)}
    assert (len(claims), sum(claims.values())) == (35, 194)
    facts = {g: n for g, n in sizes.items() if g.startswith(FACT_NS)}
    assert (len(facts), sum(facts.values())) == (16, 100)
    assert len(open_store(data_dir=data_copy)) == LAYERS + VOID + WIKIDATA


def test_every_shipped_article_has_its_graph_and_its_claims():
    sizes = graph_sizes(open_store())
    for article in article_ids(DATA_DIR):
        assert sizes[iris.GRAPH_NS + f"article/{article}"] > 0
        claims = [g for g in sizes if g.startswith(f"{iris.ID_NS}claim/{article}/")]
        assert claims, article


def test_without_the_article_only_the_extra_files_are_loaded(tmp_path):
    files = {
        "a.ttl": "<urn:x:a> <urn:x:p> 1 .",
        "b.nt": "<urn:x:b> <urn:x:p> <urn:x:o> .",
        "c.nq": "<urn:x:c> <urn:x:p> <urn:x:o> <urn:x:g> .",
        "d.trig": "<urn:x:g2> { <urn:x:d> <urn:x:p> <urn:x:o> }",
        "e.jsonld": '{"@id": "urn:x:e", "urn:x:p": {"@id": "urn:x:o"}}',
        "f.rdf": (
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:x="urn:x:">'
            '<rdf:Description rdf:about="urn:x:f"><x:p rdf:resource="urn:x:o"/></rdf:Description>'
            "</rdf:RDF>"
        ),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    store = open_store(include_article=False, extra=[tmp_path / n for n in files], progress=True)
    subjects = sorted(q.subject.value for q in store)
    assert subjects == ["urn:x:a", "urn:x:b", "urn:x:c", "urn:x:d", "urn:x:e", "urn:x:f"]
    assert sorted(g.value for g in store.named_graphs()) == ["urn:x:g", "urn:x:g2"]


def test_a_syntax_error_names_the_file_and_the_line(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:x:a> <urn:x:p> <urn:x:o> .\n<urn:x:a> <urn:x:p> .\n")
    with pytest.raises(DataError, match=rf"^{bad}:2: Parser error at line 2"):
        open_store(include_article=False, extra=[bad])


def test_an_unknown_extension_or_a_missing_file_is_refused(tmp_path):
    with pytest.raises(DataError, match=r"unknown RDF format for extension '\.csv'"):
        (tmp_path / "x.csv").write_text("a,b")
        open_store(include_article=False, extra=[tmp_path / "x.csv"])
    with pytest.raises(DataError, match="no such file"):
        open_store(include_article=False, extra=[tmp_path / "missing.ttl"])


def test_a_store_on_disk_is_reopened_until_the_data_changes(tmp_path, data_copy):
    path = tmp_path / "store"
    store = open_store(path, data_dir=data_copy)
    assert (path / FINGERPRINT_FILE).is_file()
    store.add(MARK)
    del store
    reopened = open_store(path, data_dir=data_copy)
    assert MARK in reopened and len(reopened) == LAYERS + VOID + WIKIDATA + 1
    del reopened
    reviews = data_copy / "reviews.trig"
    reviews.write_text(reviews.read_text() + "\n# an edit\n")
    rebuilt = open_store(path, data_dir=data_copy)
    assert MARK not in rebuilt and len(rebuilt) == LAYERS + VOID + WIKIDATA


def test_a_new_article_folder_is_discovered_without_code(data_copy):
    folder = data_copy / "articles" / "2026-01-01-test"
    folder.mkdir()
    (folder / "article.txt").write_text("A test.")
    (folder / "notes.ttl").write_text("<urn:x:note> <urn:x:p> <urn:x:o> .")
    sizes = graph_sizes(open_store(data_dir=data_copy))
    assert sizes[iris.GRAPH_NS + "article/2026-01-01-test"] == 1


def test_the_wikidata_extract_goes_into_its_graph_when_present(data_copy):
    folder = data_copy / "wikidata"
    folder.mkdir(exist_ok=True)
    (folder / "extract.ttl").write_text(
        "<http://www.wikidata.org/entity/Q419> <http://www.w3.org/2000/01/rdf-schema#label> "
        '"Peru"@en .'
    )
    assert graph_sizes(open_store(data_dir=data_copy))[iris.WIKIDATA_GRAPH] == 1
