"""Every article statement traces to its sentence, and every sentence to the shipped text."""

import re

import pytest
from support.articles import REFERENCE, shipped_articles

from kg import iris
from kg.graph.build import open_store
from kg.graph.sources import article_text
from kg.resources import DATA_DIR, ontology_dir, queries_dir

ARTICLE = REFERENCE
TEXT = article_text(DATA_DIR / "articles" / ARTICLE / "article.txt")
PREFIXES = """
PREFIX pek: <https://w3id.org/peru-ecuador-kg/ontology/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX schema: <https://schema.org/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
VERIFIED_QIDS = {
    "Q419", "Q736", "Q739", "Q2900", "Q112075625", "Q106474688", "Q103838608", "Q5708511",
    "Q732562", "Q98", "Q41576", "Q22656", "Q40858", "Q828224", "Q131569", "Q15221623",
}  # fmt: skip


@pytest.fixture(scope="module")
def store():
    return open_store()


def select(store, query: str) -> list[dict[str, str]]:
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return [{n: row[n].value for n in names} for row in solutions]


def sentences(store, article: str = ARTICLE):
    return select(
        store,
        f"""SELECT ?sentence ?exact ?start ?end WHERE {{
             ?sentence a pek:Sentence ; oa:hasSource <{iris.ID_NS}article/{article}> ;
               oa:hasSelector ?q , ?p .
             ?q a oa:TextQuoteSelector ; oa:exact ?exact .
             ?p a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
           }} ORDER BY ?start""",
    )


def test_the_reference_article_is_shipped():
    assert ARTICLE in shipped_articles()
    assert len(TEXT) == 2860
    assert TEXT.startswith("Peru and Ecuador Pledge to Combat Organized Crime and Illegal Mining")


def test_the_reference_article_has_its_21_sentences(store):
    assert len(sentences(store)) == 21


@pytest.mark.parametrize("article", shipped_articles())
def test_each_quote_is_the_text_at_its_code_point_offsets(store, article):
    text = article_text(DATA_DIR / "articles" / article / "article.txt")
    found = sentences(store, article)
    assert found
    for row in found:
        assert text[int(row["start"]) : int(row["end"])] == row["exact"], row["sentence"]


def test_the_sentences_cover_all_the_text_but_headings_bullets_and_questions(store):
    rest = list(TEXT)
    for row in sentences(store):
        rest[int(row["start"]) : int(row["end"])] = " " * (int(row["end"]) - int(row["start"]))
    left = [part.strip() for part in re.split(r"\n|•", "".join(rest)) if part.strip()]
    assert left == [
        "Background on Key Figures",
        "The Challenge of Drug Trafficking and Organized Crime",
        "Key Points of the Agreement",
        "Economic Ties and Trade",
        "Key Questions and Answers",
        "Who are the key figures involved?",
        "What are the main issues addressed in the agreement?",
        "Why is this agreement significant?",
        "What is the historical context of Peru-Ecuador relations?",
    ]


def test_every_sentence_supports_at_least_one_statement(store):
    unsupported = select(
        store,
        """SELECT ?sentence WHERE {
             ?sentence a pek:Sentence .
             FILTER NOT EXISTS { ?claim prov:wasDerivedFrom ?sentence . GRAPH ?claim { ?s ?p ?o } }
           }""",
    )
    assert unsupported == []


def claims_with_quotes(store, prefix: str) -> list[dict[str, str]]:
    return select(
        store,
        f"""SELECT ?claim (COUNT(*) AS ?statements) (SAMPLE(?exact) AS ?quote) WHERE {{
              GRAPH ?claim {{ ?s ?p ?o }}
              FILTER(STRSTARTS(STR(?claim), "{prefix}"))
              OPTIONAL {{ ?claim prov:wasDerivedFrom/oa:hasSelector/oa:exact ?exact }}
            }} GROUP BY ?claim ORDER BY ?claim""",
    )


def test_every_article_statement_has_its_sentence(store):
    rows = claims_with_quotes(store, f"{iris.ID_NS}claim/")
    assert [r["claim"] for r in rows if "quote" not in r] == []


def test_the_reference_article_makes_its_194_statements_in_35_claims(store):
    rows = claims_with_quotes(store, f"{iris.ID_NS}claim/{ARTICLE}/")
    assert len(rows) == 35
    assert sum(int(r["statements"]) for r in rows) == 194


def test_a_claim_reads_as_the_article_wrote_it(store):
    # The wrong year stays in the claim graph, as the article words it, but as an rdf:Statement:
    # on the tenure itself only the verified start is a triple.
    rows = select(
        store,
        f"""SELECT ?since WHERE {{ GRAPH ?claim {{
             ?tenure pek:holder <https://w3id.org/peru-ecuador-kg/id/jose-jeri> .
             ?stated rdf:subject ?tenure ; rdf:predicate schema:startDate ; rdf:object ?since }}
             ?claim a schema:Claim ; schema:appearance <{iris.ID_NS}article/{ARTICLE}> }}""",
    )
    assert rows == [{"since": "2022-10"}]
    on_the_tenure = select(
        store,
        """SELECT DISTINCT ?since WHERE {
             ?tenure pek:holder <https://w3id.org/peru-ecuador-kg/id/jose-jeri> ;
               schema:startDate ?since }""",
    )
    assert on_the_tenure == [{"since": "2025-10-10"}]


def test_no_wikidata_item_outside_the_verified_list_appears_in_any_file():
    files = [p for p in DATA_DIR.rglob("*") if p.is_file() and "wikidata" not in p.parts]
    files += list(ontology_dir().glob("*.ttl")) + list(queries_dir().rglob("*.rq"))
    used = {
        qid
        for path in files
        for qid in re.findall(r"\bwd:(Q\d+)|wikidata\.org/entity/(Q\d+)", path.read_text("utf-8"))
    }
    assert {q for pair in used for q in pair if q} - VERIFIED_QIDS == set()
