"""`kg validate` passes the shipped data and names the problem in a broken copy."""

import re

import pytest
from click.testing import CliRunner
from pyoxigraph import NamedNode, Quad
from support.articles import FIXTURE, REFERENCE
from support.articles import data_copy as copy_of_data

from kg import iris
from kg.cli import main
from kg.graph.build import open_store
from kg.graph.validate import validate

CLAIMS = f"articles/{REFERENCE}/claims.trig"
ARTICLE = f"articles/{REFERENCE}/article.trig"
ARTICLE_GRAPH = f"{iris.GRAPH_NS}article/{REFERENCE}"


@pytest.fixture
def data_copy(tmp_path):
    """Return a copy of the data with the reference article only, to break on purpose."""
    return copy_of_data(tmp_path / "data", articles=[REFERENCE])


def line_of(path, text):
    return next(n for n, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line)


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
    assert re.fullmatch(r"ok: \d+ quads in \d+ named graphs, no problems\n", result.output)


def test_validate_counts_the_quads_and_graphs_of_the_reference_data(tmp_path):
    data = copy_of_data(tmp_path / "data", articles=[REFERENCE])
    result = kg("validate", "--data-dir", str(data))
    assert result.output == "ok: 7176 quads in 60 named graphs, no problems\n"


def test_a_turtle_syntax_error_fails_naming_file_and_line(data_copy):
    edit(data_copy / "verified.trig", 'schema:name "Reuters 2017" .', 'schema:name "Reuters 2017"')
    result = kg("validate", "--data-dir", str(data_copy))
    assert result.exit_code == 1
    assert f"{data_copy / 'verified.trig'}:49: syntax: Parser error at line 49" in result.output


def test_a_shape_violation_fails_naming_the_shape_and_the_node(data_copy):
    edit(data_copy / CLAIMS, 'schema:currency "USD"', 'schema:currency "US dollars"')
    result = kg("validate", "--data-dir", str(data_copy))
    assert result.exit_code == 1
    assert "shape (inner): " in result.output
    assert "schema:currency: an amount names its ISO 4217 currency" in result.output
    assert re.search(r"Error: 1 problem\(s\) in \d+ quads", result.output)


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
    assert sorted((p.check, p.focus) for p in problems) == [
        ("unlisted-wikidata-violation", "http://www.wikidata.org/entity/Q1"),
        # Linked now, yet still marked "looked up, no verified item found".
        ("wikidata-lookup-violation", "https://w3id.org/peru-ecuador-kg/id/jose-jeri"),
    ]


def test_a_quote_that_disagrees_with_its_offsets_fails(data_copy):
    article = data_copy / ARTICLE
    edit(article, "oa:end 80 .", "oa:end 81 .")
    problems = validate(open_store(data_dir=data_copy), data_dir=data_copy)
    assert sorted(p.check for p in problems) == ["offsets", "selector-length-violation"]


def test_a_shifted_offset_pair_fails_naming_file_graph_and_line(data_copy):
    article = data_copy / ARTICLE
    edit(article, "oa:start 603 ;\n        oa:end 731 .", "oa:start 605 ;\n        oa:end 733 .")
    result = kg("validate", "--data-dir", str(data_copy))
    assert result.exit_code == 1
    assert (
        f"{article}:{line_of(article, 'oa:start 605')}: graph <{ARTICLE_GRAPH}>: offsets: "
        f"<{iris.ID_NS}article/{REFERENCE}/sentence/08-position>: the quote is at 603–731 in the "
        "text, not at 605–733 (offsets off by +2)\n"
    ) in result.output


def test_a_same_length_typo_in_a_quote_fails(data_copy):
    article = data_copy / ARTICLE
    edit(article, "chaired the Ecuadorian side.", "chaired the Ecuadorean side.")
    problems = validate(open_store(data_dir=data_copy), data_dir=data_copy)
    assert [(p.check, p.file, p.graph, p.line) for p in problems] == [
        ("quote", article, ARTICLE_GRAPH, line_of(article, "Ecuadorean"))
    ]
    assert problems[0].message == (
        'the quote differs from the text at code point 791: it has "he Ecuadorean side." where '
        'the text has "he Ecuadorian side."'
    )


def test_a_misspelled_entity_iri_fails_with_a_suggestion(data_copy):
    claims = data_copy / CLAIMS
    edit(claims, "pek:negotiator :jose-jeri ,", "pek:negotiator :jose-jerri ,")
    problems = validate(open_store(data_dir=data_copy), data_dir=data_copy)
    assert [str(p) for p in problems] == [
        f"{claims}:{line_of(claims, 'jose-jerri')}: graph <{iris.ID_NS}claim/{REFERENCE}/"
        f"negotiators>: declared: <{iris.ID_NS}jose-jerri>: nothing in the graph declares it (no "
        f"rdf:type); did you mean <{iris.ID_NS}jose-jeri>?"
    ]


def test_a_misspelled_ontology_term_and_a_missing_spanish_label_fail(data_copy):
    edit(data_copy / CLAIMS, "pek:headRole role:chaired", "pek:headrole role:chaired")
    edit(data_copy / "entities.trig", ', "Lima"@es ;', " ;")
    edit(data_copy / CLAIMS, "pek:negotiator :jose-jeri ,", "pek:negotiator :jose-jeri , :lima ,")
    problems = validate(open_store(data_dir=data_copy), data_dir=data_copy)
    assert sorted((p.check, p.focus, p.message) for p in problems) == [
        (
            "declared",
            f"<{iris.ID_NS}lima>",
            "the entity has no Spanish label (rdfs:label)",
        ),
        (
            "declared",
            f"<{iris.ONTOLOGY_NS}headrole>",
            "nothing in the ontology declares it (no rdf:type); did you mean "
            f"<{iris.ONTOLOGY_NS}headRole>?",
        ),
    ]


FIXTURE_CLAIMS = f"articles/{FIXTURE}/claims.trig"
JERI_START = """    statement:06.jose-jeri-president-of-peru.startDate a rdf:Statement ;
        rdf:subject tenure:jose-jeri-president-of-peru ; rdf:predicate schema:startDate ;
        rdf:object "2025-10"^^xsd:gYearMonth .
    tenure:jose-jeri-president-of-peru pek:holder"""


@pytest.fixture
def both(tmp_path):
    """Return a copy of the data with the reference article and the fictional one."""
    return copy_of_data(tmp_path / "data", articles=[REFERENCE], extra=[FIXTURE])


def test_two_articles_writing_one_value_node_fail_naming_both(both):
    commitment = f"{iris.ID_NS}commitment/joint-border-control"
    edit(both / FIXTURE_CLAIMS, "this:border-post-funding a", f"<{commitment}> a")
    problems = validate(open_store(data_dir=both), data_dir=both)
    assert sorted((p.check, p.file.name, p.graph.rsplit("/", 2)[-2]) for p in problems) == [
        ("shared-value", "claims.trig", REFERENCE),
        ("shared-value", "claims.trig", FIXTURE),
    ]
    assert {p.focus for p in problems} == {f"<{commitment}>"}
    assert "claims of 2 articles write to this node" in problems[0].message
    assert "declare it in kg/data/entities.trig" in problems[0].message


def test_a_value_that_competes_written_as_a_triple_says_which_statement_to_write(both):
    claims = both / FIXTURE_CLAIMS
    edit(
        claims,
        JERI_START,
        '    tenure:jose-jeri-president-of-peru schema:startDate "2025-10"^^xsd:gYearMonth ;\n'
        "        pek:holder",
    )
    problems = validate(open_store(data_dir=both), data_dir=both)
    statement = f"{iris.ID_NS}statement/{FIXTURE}/06.jose-jeri-president-of-peru.startDate"
    tenure = f"{iris.ID_NS}tenure/jose-jeri-president-of-peru"
    # One problem, at the line of the triple: the conflict it makes on the tenure is this one.
    line = line_of(claims, 'schema:startDate "2025-10"')
    assert [str(p) for p in problems] == [
        f"{claims}:{line}: graph "
        f"<{iris.ID_NS}claim/{FIXTURE}/06>: best-value-violation: {statement}: this value "
        f"competes with the best one (2025-10-10 from <{iris.ID_NS}fact/jose-jeri-took-office>), "
        f"so a plain query must not see it: write it as a statement instead of a triple on "
        f"<{tenure}>: <{statement}> a rdf:Statement ; rdf:subject <{tenure}> ; rdf:predicate "
        "<https://schema.org/startDate> ; rdf:object (the value as written)"
    ]


def test_an_articles_own_copy_of_a_shared_entity_fails_saying_what_to_do(both):
    claims = both / FIXTURE_CLAIMS
    # The fixture as it was first written: its own tenure, beside the shared one.
    edit(
        claims,
        JERI_START,
        "    this:jeri-tenure a pek:Tenure ;\n"
        '        schema:startDate "2025-10"^^xsd:gYearMonth ;\n'
        "        pek:holder",
    )
    problems = validate(open_store(data_dir=both), data_dir=both)
    duplicate = f"{iris.ID_NS}article/{FIXTURE}/jeri-tenure"
    assert [(p.check, p.focus, p.file, p.line) for p in problems] == [
        ("duplicate-entity-violation", duplicate, claims, line_of(claims, "this:jeri-tenure a"))
    ]
    message = problems[0].message
    assert message.startswith(f"a <{iris.ONTOLOGY_NS}Tenure> with the same ")
    for same in (f"holder> <{iris.ID_NS}jose-jeri>", f"office> <{iris.ID_NS}president-of-peru>"):
        assert same in message
    assert (
        f"as the shared entity <{iris.ID_NS}tenure/jose-jeri-president-of-peru>: a real-world "
        "thing is one node that every article speaks of. Write this claim's statements on"
    ) in message


def test_a_tenure_of_another_holder_is_no_duplicate(both):
    claims = both / FIXTURE_CLAIMS
    edit(claims, JERI_START, "    this:jeri-tenure a pek:Tenure ;\n        pek:holder")
    edit(claims, "pek:holder :jose-jeri ; pek:office", "pek:holder :ana-ejemplo ; pek:office")
    problems = validate(open_store(data_dir=both), data_dir=both)
    assert [p.check for p in problems] == []


def test_every_problem_is_reported_in_one_run(data_copy):
    edit(data_copy / ARTICLE, "oa:end 80 .", "oa:end 81 .")
    edit(data_copy / ARTICLE, "chaired the Ecuadorian side.", "chaired the Ecuadorean side.")
    edit(data_copy / CLAIMS, "pek:negotiator :jose-jeri ,", "pek:negotiator :jose-jerri ,")
    edit(data_copy / CLAIMS, 'schema:currency "USD"', 'schema:currency "US dollars"')
    result = kg("validate", "--data-dir", str(data_copy))
    assert result.exit_code == 1
    for check in ("offsets: ", "quote: ", "declared: ", "shape (inner): ", "selector-length"):
        assert check in result.output
    assert re.search(r"Error: 5 problem\(s\) in \d+ quads", result.output)


def test_every_file_that_does_not_parse_is_named_in_one_run(data_copy):
    edit(data_copy / "verified.trig", 'schema:name "Reuters 2017" .', 'schema:name "Reuters 2017"')
    edit(data_copy / CLAIMS, "claim:headline {", "claim:headline {{")
    result = kg("validate", "--data-dir", str(data_copy))
    assert result.exit_code == 1
    assert f"{data_copy / 'verified.trig'}:49: syntax: " in result.output
    assert f"{data_copy / CLAIMS}:" in result.output
    assert "Error: 2 file(s) are not valid RDF" in result.output


def test_a_shape_violation_reads_in_plain_words_with_the_label(data_copy):
    edit(data_copy / CLAIMS, "pek:delegationOf :peru ;", "")
    problems = validate(open_store(data_dir=data_copy), data_dir=data_copy)
    review = f"{iris.ID_NS}review/{REFERENCE}/peruvian-delegation-of-peru"
    statement = f"{iris.ID_NS}statement/{REFERENCE}/meeting-delegations.peruvian-delegation."
    assert [str(p).split(": ", 1)[1] for p in problems] == [
        f"graph <{iris.GRAPH_NS}entities>: shape (inner): <{iris.ID_NS}peruvian-delegation> "
        '("Peruvian delegation") pek:delegationOf: a delegation represents exactly one country',
        # The statement a review confirmed is gone, so the review reviews nothing.
        f"graph <{iris.GRAPH_NS}reviews>: review-rating-violation: {review}: review of "
        f"<{statement}delegationOf.peru>, which is no article statement (pek:ClaimStatement)",
        f"graph <{iris.GRAPH_NS}reviews>: shape (inner): <{review}> schema:itemReviewed: a review "
        "reviews exactly one article statement (pek:ClaimStatement)",
    ]
    assert problems[0].file == data_copy / "entities.trig"


def test_a_bad_article_text_is_a_problem_naming_it(data_copy):
    text = data_copy / f"articles/{REFERENCE}/article.txt"
    text.write_bytes(b"\xef\xbb\xbf" + text.read_bytes())
    problems = validate(open_store(data_dir=data_copy), data_dir=data_copy)
    assert [p.check for p in problems] == ["text"]
    assert f"{text}: the text starts with a byte-order mark" in problems[0].message


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
