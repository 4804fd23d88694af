"""`kg validate` passes the shipped data and names the problem in a broken copy."""

import shutil

import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode, Quad

from kg.cli import main
from kg.graph.build import open_store
from kg.graph.validate import validate
from kg.resources import DATA_DIR

CLAIMS = "articles/2025-12-12-peru-ecuador/claims.trig"


@pytest.fixture
def data_copy(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def kg(*args):
    return CliRunner().invoke(main, list(args))


def test_the_shipped_data_has_no_problem():
    assert validate(open_store()) == []


def test_validate_exits_zero_on_the_shipped_data():
    result = kg("validate")
    assert result.exit_code == 0, result.output
    assert result.output == "ok: 7131 quads in 60 named graphs, no problems\n"


def test_a_turtle_syntax_error_fails_naming_file_and_line(data_copy):
    edit(data_copy / "verified.trig", 'schema:name "Reuters 2017" .', 'schema:name "Reuters 2017"')
    result = kg("validate", "--data-dir", str(data_copy))
    assert result.exit_code == 1
    assert f"Error: {data_copy / 'verified.trig'}:49: Parser error at line 49" in result.output


def test_a_shape_violation_fails_naming_the_shape_and_the_node(data_copy):
    edit(data_copy / CLAIMS, 'schema:currency "USD"', 'schema:currency "US dollars"')
    result = kg("validate", "--data-dir", str(data_copy))
    assert result.exit_code == 1
    assert "shape (inner): " in result.output
    assert "schema:currency: an amount names its ISO 4217 currency" in result.output
    assert "Error: 1 problem(s) in 7131 quads" in result.output


def test_a_statement_without_provenance_fails(data_copy):
    with (data_copy / CLAIMS).open("a", encoding="utf-8") as claims:
        claims.write("claim:unsourced { :peru :borders :ecuador . }\n")
    result = kg("validate", "--data-dir", str(data_copy))
    assert result.exit_code == 1
    assert (
        "claim-provenance-violation: https://w3id.org/peru-ecuador-kg/id/claim/"
        "2025-12-12-peru-ecuador/unsourced: claim graph without provenance"
    ) in result.output


def test_an_untyped_number_fails(data_copy):
    edit(data_copy / "verified.trig", "pek:votesFor 75", 'pek:votesFor "75"')
    problems = validate(open_store(data_dir=data_copy))
    assert [p.check for p in problems] == ["untyped-number-violation"]
    assert problems[0].focus == "https://w3id.org/peru-ecuador-kg/id/censure-of-jose-jeri"


def test_an_unlisted_wikidata_item_fails(data_copy):
    edit(
        data_copy / "entities.trig",
        ":jose-jeri a schema:Person ;",
        ":jose-jeri owl:sameAs wd:Q1 ; a schema:Person ;",
    )
    problems = validate(open_store(data_dir=data_copy))
    assert [(p.check, p.focus) for p in problems] == [
        ("unlisted-wikidata-violation", "http://www.wikidata.org/entity/Q1"),
        ("wikidata-lookup-violation", "https://w3id.org/peru-ecuador-kg/id/jose-jeri"),
    ]


def test_a_quote_that_disagrees_with_its_offsets_fails(data_copy):
    article = data_copy / "articles/2025-12-12-peru-ecuador/article.trig"
    edit(article, "oa:end 80 .", "oa:end 81 .")
    problems = validate(open_store(data_dir=data_copy))
    assert [p.check for p in problems] == ["selector-length-violation"]


def test_build_then_validate_a_store_someone_wrote_to(tmp_path):
    path = tmp_path / "store"
    assert kg("build", "--store", str(path)).exit_code == 0
    store = open_store(path)
    store.add(
        Quad(
            NamedNode("urn:x:s"),
            NamedNode("urn:x:p"),
            NamedNode("urn:x:o"),
            NamedNode("https://w3id.org/peru-ecuador-kg/graph/scratch"),
        )
    )
    del store
    result = kg("validate", "--store", str(path))
    assert result.exit_code == 1
    assert "https://w3id.org/peru-ecuador-kg/graph/scratch: statements in a graph" in result.output


def test_validate_refuses_a_store_that_does_not_exist(tmp_path):
    result = kg("validate", "--store", str(tmp_path / "none"))
    assert result.exit_code == 1
    assert "no store here; build one with `kg build --store" in result.output
