"""`kg draft`: the shipped article redrafted, odd texts, bad input, drafts left out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import BlankNode, Store
from support.articles import FIXTURE, FIXTURES, REFERENCE, data_copy

from kg import iris
from kg.cli import main
from kg.draft import Drafted, Options, draft_article
from kg.draft.segment import segment
from kg.graph.build import open_store
from kg.graph.sources import article_text
from kg.graph.textcheck import DRAFT
from kg.graph.validate import validate
from kg.resources import DATA_DIR, queries_dir

SHIPPED_TEXT = DATA_DIR / "articles" / REFERENCE / "article.txt"
SELECTORS = """
PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?exact ?start ?end WHERE {
  GRAPH ?g { ?s oa:hasSource ?a ; oa:hasSelector ?q , ?p .
             ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }
  FILTER(?a = <%s>)
}"""
LINKED = """
PREFIX schema: <https://schema.org/>
SELECT DISTINCT ?entity WHERE {
  ?claim schema:appearance <%s> .
  GRAPH ?claim { { ?entity ?p ?o } UNION { ?s ?p ?entity } }
  GRAPH <https://w3id.org/peru-ecuador-kg/graph/entities> { ?entity a ?type }
  VALUES ?type { schema:Person schema:Country schema:City schema:Place schema:BodyOfWater
                 <https://w3id.org/peru-ecuador-kg/ontology/Border> }
}"""


def kg(*args: str):
    return CliRunner().invoke(main, list(args))


def selectors(store: Store, article_id: str) -> set[tuple[str, int, int]]:
    rows = store.query(SELECTORS % (iris.ID_NS + "article/" + article_id))
    return {(r["exact"].value, int(r["start"].value), int(r["end"].value)) for r in rows}


@pytest.fixture(scope="module")
def redrafted(tmp_path_factory: pytest.TempPathFactory) -> Drafted:
    """Draft the shipped text again, into a copy of the data without its article."""
    data = data_copy(tmp_path_factory.mktemp("redraft") / "data", articles=[])
    return draft_article(SHIPPED_TEXT, Options(REFERENCE), data, open_store(data_dir=data))


def test_the_shipped_text_redrafts_to_its_21_sentence_selectors(redrafted: Drafted) -> None:
    shipped = selectors(open_store(), REFERENCE)
    assert len(shipped) == 21
    assert {(s.exact, s.start, s.end) for s in redrafted.draft.sentences} == shipped
    written = Store()
    written.load(path=redrafted.folder / "article.trig")
    assert selectors(written, REFERENCE) == shipped


def test_the_draft_names_every_person_country_and_place_the_shipped_claims_link(
    redrafted: Drafted,
) -> None:
    shipped = open_store()
    rows = shipped.query(
        LINKED % (iris.ID_NS + "article/" + REFERENCE), use_default_graph_as_union=True
    )
    linked = {r["entity"].value.removeprefix(iris.ID_NS) for r in rows}
    assert linked == {
        "jose-jeri", "daniel-noboa", "dina-boluarte", "peru", "ecuador", "colombia", "quito",
        "pacific-ocean", "ecuadorian-pacific-ports", "ecuador-peru-border",
        "ecuador-peru-border-region",
    }  # fmt: skip
    found = {m.entity.removeprefix(iris.ID_NS) for m in redrafted.draft.mentions}
    assert linked - found == set()
    assert redrafted.draft.new_entities == []


def test_the_draft_finds_the_dates_and_amounts_the_shipped_claims_state(redrafted: Drafted) -> None:
    dates = [(d.sentence, d.surface, f"{d.lexical}^^{d.datatype}") for d in redrafted.draft.dates]
    assert dates == [
        (8, "October 2022", "2022-10^^gYearMonth"),
        (16, "1998", "1998^^gYear"),
        (17, "2024", "2024^^gYear"),
        (17, "January", "2025-01^^gYearMonth"),
        (17, "October", "2025-10^^gYearMonth"),
        (21, "1998", "1998^^gYear"),
    ]
    amounts = [
        (a.sentence, a.surface, str(a.value), a.currency or a.unit) for a in redrafted.draft.amounts
    ]
    assert amounts == [
        (13, "1,500 km", "1500", "http://qudt.org/vocab/unit/KiloM"),
        (17, "$2.037 billion", "2037000000", "USD"),
        (17, "$1.683 billion", "1683000000", "USD"),
    ]


def test_the_summary_says_what_was_found_and_what_is_left_to_write(redrafted: Drafted) -> None:
    lines = redrafted.summary().splitlines()
    assert lines[2:6] == [
        "headline:  Peru and Ecuador Pledge to Combat Organized Crime and Illegal Mining "
        "(the text's first line)",
        "date:      2025-12-12 (the text's dateline)",
        "language:  en (the text's dates)",
        "publisher: none given (--publisher)",
    ]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[7:]]
    assert [row[:2] for row in rows if not row[0].startswith("-")] == [
        ["found", "count"],
        ["sentences", "21"],
        ["entity mentions", "69 (34 entities)"],
        ["new entities proposed", "0"],
        ["dates", "6"],
        ["amounts", "3"],
        ["shared entities spoken of", "4"],
        ["values the record has", "1"],
        ["claims", "21"],
    ]
    assert "5 headings, 4 questions" in lines[9]
    assert "write the statements of 19 claims (2 written whole)" in lines[-1]


def test_a_draft_is_checked_by_validate_and_left_out_of_builds(tmp_path: Path) -> None:
    data = data_copy(tmp_path / "data", articles=[REFERENCE])
    text = FIXTURES / FIXTURE / "article.txt"
    drafted = kg("draft", str(text), "--id", FIXTURE, "--data-dir", str(data))
    assert drafted.exit_code == 0, drafted.output
    assert re.search(r"new entities proposed +\| 2 ", drafted.output)
    checked = kg("validate", "--data-dir", str(data))
    assert checked.exit_code == 0, checked.output
    assert f"draft {FIXTURE}: 4 claim(s) still marked Draft, 2 entity stub(s)" in checked.output
    built = kg("build", "--data-dir", str(data))
    assert built.exit_code == 0, built.output
    assert f"left out draft article {FIXTURE} (delete " in built.output
    graphs = {g.value for g in open_store(data_dir=data).named_graphs()}
    assert iris.GRAPH_NS + "article/" + FIXTURE not in graphs
    assert iris.GRAPH_NS + "article/" + REFERENCE in graphs


def test_a_published_article_may_keep_no_draft_claim_and_no_stub(tmp_path: Path) -> None:
    data = data_copy(tmp_path / "data", articles=[REFERENCE])
    text = FIXTURES / FIXTURE / "article.txt"
    assert kg("draft", str(text), "--id", FIXTURE, "--data-dir", str(data)).exit_code == 0
    (data / "articles" / FIXTURE / "DRAFT.md").unlink()
    problems = validate(open_store(data_dir=data), data_dir=data)
    # One problem each: the model's checks leave a claim marked Draft to the text checks.
    assert sorted((p.check, p.focus.rsplit("/", 1)[-1]) for p in problems) == [
        ("draft", "03>"),
        ("draft", "04>"),
        ("draft", "05>"),
        ("draft", "06>"),
        ("draft", "ana-ejemplo>"),
        ("draft", "binational-fixture-commission>"),
    ]
    located = [p for p in problems if p.check == "draft"]
    assert {p.file.name for p in located if p.file} == {"article.trig", "entities.trig"}


def uncommented(claims: str) -> str:
    """Keep every statement skeleton of a drafted claims.trig, as a person who finds them true."""
    return re.sub(r"(?m)^    # (statement:|    rdf:)", r"    \1", claims)


def statements(path: Path) -> set[tuple[str, str, str]]:
    """Return the written rdf:Statements of a claims file, their value nodes spelled out."""
    store = Store()
    store.load(path=path)
    rows = store.query(
        """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        PREFIX schema: <https://schema.org/>
        SELECT ?s ?p ?o WHERE { GRAPH ?g {
          ?s a rdf:Statement . { ?s ?p ?o } UNION { ?s rdf:object ?node . ?node ?p ?o } } }"""
    )
    return {
        (r["s"].value, r["p"].value, "[]" if isinstance(r["o"], BlankNode) else str(r["o"]))
        for r in rows
    }


def test_the_draft_proposes_the_statements_the_model_wants_where_values_meet_the_record(
    tmp_path: Path,
) -> None:
    data = data_copy(tmp_path / "data", articles=[REFERENCE])
    text = FIXTURES / FIXTURE / "article.txt"
    assert kg("draft", str(text), "--id", FIXTURE, "--data-dir", str(data)).exit_code == 0
    drafted = data / "articles" / FIXTURE / "claims.trig"
    claims = drafted.read_text(encoding="utf-8")
    assert (
        "#   speaks of: tenure:jose-jeri-president-of-peru (José Jerí, President of Peru; it "
        "names its pek:holder, pek:office)\n"
    ) in claims
    assert (
        "#     the record: tenure:jose-jeri-president-of-peru schema:startDate "
        '"2025-10-10"^^xsd:date (fact:jose-jeri-took-office)\n'
    ) in claims
    assert "#     the record: :ecuador-peru-border pek:length 1529 unit:KiloM" in claims
    # Kept as they are drafted, the skeletons are the finished article's statements, named as
    # the build names statements: a value that competes with the record's is an rdf:Statement.
    drafted.write_text(uncommented(claims), encoding="utf-8")
    finished = statements(FIXTURES / FIXTURE / "claims.trig")
    assert {s for s, _, _ in finished} == {
        f"{iris.ID_NS}statement/{FIXTURE}/04.ecuador-peru-border.length",
        f"{iris.ID_NS}statement/{FIXTURE}/06.jose-jeri-president-of-peru.startDate",
    }
    assert statements(drafted) == finished


def test_the_draft_marker_is_the_one_the_model_checks_and_the_text_checks_read(
    redrafted: Drafted,
) -> None:
    marker = f"schema:creativeWorkStatus {DRAFT!r}".replace("'", '"')
    article = (redrafted.folder / "article.trig").read_text(encoding="utf-8")
    assert article.count(marker + " ;") == 19
    check = (queries_dir() / "checks" / "claim-provenance-violation.rq").read_text("utf-8")
    assert f"?focus {marker}" in check


ODD_TEXT = (
    "Quito talks end\r\n"
    "\r\n"
    "March 3, 2026\r\n"
    "\r\n"
    "Dina Boluarte met\r\n"
    "officials in Quito. They agreed.\r\n"
    "\r\n"
    "• Señora Boluarte said “no”. They agreed.\r\n"
)


def test_crlf_hard_wrapping_non_ascii_and_a_repeated_quote(tmp_path: Path) -> None:
    sentences, _ = segment(ODD_TEXT)
    assert [(s.exact, s.role) for s in sentences] == [
        ("Quito talks end", "front"),
        ("March 3, 2026", "front"),
        ("Dina Boluarte met\r\nofficials in Quito.", "body"),
        ("They agreed.", "body"),
        ("Señora Boluarte said “no”.", "item"),
        ("They agreed.", "item"),
    ]
    for sentence in sentences:
        assert ODD_TEXT[sentence.start : sentence.end] == sentence.exact
    repeated = [s for s in sentences if s.exact == "They agreed."]
    assert [(s.prefix is not None, s.suffix is not None) for s in repeated] == [(True, True)] * 2
    assert repeated[0].prefix != repeated[1].prefix
    source = tmp_path / "odd.txt"
    source.write_bytes(ODD_TEXT.encode())
    data = data_copy(tmp_path / "data", articles=[])
    result = kg("draft", str(source), "--id", "2026-03-03-odd", "--data-dir", str(data))
    assert result.exit_code == 0, result.output
    folder = data / "articles" / "2026-03-03-odd"
    assert (folder / "article.txt").read_bytes() == ODD_TEXT.encode()
    assert article_text(folder / "article.txt") == ODD_TEXT
    problems = validate(open_store(data_dir=data, include_drafts=True), data_dir=data)
    assert [p for p in problems if p.check in ("quote", "offsets", "declared")] == []


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the article text is empty"),
        (b"  \n\n", "the article text is empty"),
        ("Señor\n".encode("latin-1"), "the text is not UTF-8 (the byte at offset 2 is 0xf1)"),
        (b"\xef\xbb\xbfPeru and Ecuador.\n", "the text starts with a byte-order mark"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this is a binary file"),
    ],
    ids=["empty", "blank", "latin-1", "bom", "binary"],
)
def test_a_bad_text_is_refused_and_nothing_is_written(
    tmp_path: Path, content: bytes, message: str
) -> None:
    source = tmp_path / "input.txt"
    source.write_bytes(content)
    data = tmp_path / "data"
    result = kg("draft", str(source), "--id", "2026-01-01-bad", "--data-dir", str(data))
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (data / "articles" / "2026-01-01-bad").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--id", "2026-13-01-bad"], "an article id is YYYY-MM-DD-slug"),
        (["--id", "border-post"], "an article id is YYYY-MM-DD-slug"),
        (["--id", "2026-01-20-Border Post"], "an article id is YYYY-MM-DD-slug"),
        (["--id", "2026-01-20-x", "--date", "the day after"], "--date 'the day after': not a day"),
        (["--id", "2026-01-20-x", "--date", "2026"], "--date '2026': not a day"),
    ],
    ids=["month-13", "no-date", "spaces", "words", "year-only"],
)
def test_a_bad_id_or_date_is_refused(tmp_path: Path, args: list[str], message: str) -> None:
    data = data_copy(tmp_path / "data", articles=[])
    result = kg("draft", str(FIXTURES / FIXTURE / "article.txt"), *args, "--data-dir", str(data))
    assert result.exit_code == 1
    assert message in result.output
    assert sorted(p.name for p in (data / "articles").iterdir()) == []


def test_an_existing_folder_is_left_alone_unless_forced(tmp_path: Path) -> None:
    data = data_copy(tmp_path / "data", articles=[REFERENCE])
    folder = data / "articles" / REFERENCE
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = kg("draft", str(SHIPPED_TEXT), "--id", REFERENCE, "--data-dir", str(data))
    assert result.exit_code == 1
    assert f"{folder} already exists; nothing was written" in result.output
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    (folder / "notes.md").write_text("kept")
    forced = kg("draft", str(SHIPPED_TEXT), "--id", REFERENCE, "--data-dir", str(data), "--force")
    assert forced.exit_code == 0, forced.output
    assert (folder / "DRAFT.md").is_file()
    assert (folder / "notes.md").read_text() == "kept"
    assert (folder / "claims.trig").read_bytes() != before["claims.trig"]


def test_the_options_override_what_the_text_says(tmp_path: Path) -> None:
    data = data_copy(tmp_path / "data", articles=[])
    result = kg(
        "draft", str(FIXTURES / FIXTURE / "article.txt"), "--id", FIXTURE,
        "--headline", "A border post", "--date", "21 January 2026", "--publisher", "Desk",
        "--language", "en", "--data-dir", str(data),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "headline:  A border post (--headline)" in result.output
    assert "date:      2026-01-21 (--date)" in result.output
    article = (data / "articles" / FIXTURE / "article.trig").read_text(encoding="utf-8")
    assert 'schema:headline "A border post"@en' in article
    assert 'schema:datePublished "2026-01-21"^^xsd:date' in article
    assert 'schema:publisher [ a schema:Organization ; schema:name "Desk" ]' in article


def test_every_draft_option_has_help_and_is_in_the_readme() -> None:
    from kg.cli.draft import draft

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Adding an article", 1)[1].split("\n## ", 1)[0]
    options = [p for p in draft.params if p.param_type_name == "option"]
    assert all(getattr(p, "help", None) for p in options)
    documented = {o for p in options for o in p.opts if o != "--data-dir"}
    assert {o for o in documented if o not in section} == set()
