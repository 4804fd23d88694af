"""The build's materialisation (statements, ranks, bounds, closure) and the model's checks."""

import doctest
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, NamedNode, QuerySolutions, Store
from support.articles import REFERENCE
from support.articles import data_copy as copy_of_data

from kg import iris
from kg.graph import dates
from kg.graph.build import open_store
from kg.graph.materialise import INFERRED_GRAPH, STATEMENTS_GRAPH, materialise
from kg.graph.sources import DataError
from kg.resources import queries_dir

ID = iris.ID_NS
PEK = iris.ONTOLOGY_NS
STATEMENT = ID + "statement/2025-12-12-peru-ecuador/"
CLAIMS = "articles/2025-12-12-peru-ecuador/claims.trig"
BORDER_STATEMENT = STATEMENT + "border-length.ecuador-peru-border.length"
ORIGIN_REVIEWED = (
    "statement:cocaine-transit.peru-cocaine-transit.origin.peru ;\n"
    '        schema:claimReviewed "\\"Most of this illicit drug transits through Ecuadorian'
    ' ports\\" (Peru\'s cocaine)"@en ;'
)
PREFIXES = f"""
PREFIX pek: <{PEK}>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX wikibase: <http://wikiba.se/ontology#>
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Return the graph of the reference article, which the figures here were written for."""
    return open_store(
        data_dir=copy_of_data(tmp_path_factory.mktemp("reference") / "data", [REFERENCE])
    )


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """Return a copy of the reference article's data, to break on purpose."""
    return copy_of_data(tmp_path / "data", [REFERENCE])


def select(store: Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def check(store: Store, name: str) -> list[tuple[str, str]]:
    """Run one violation check and return its (focus, message) rows."""
    text = (queries_dir() / "checks" / f"{name}-violation.rq").read_text(encoding="utf-8")
    rows = store.query(text, use_default_graph_as_union=True)
    assert isinstance(rows, QuerySolutions)
    return [(row["focus"].value, row["message"].value) for row in rows]


def test_the_date_bounds_examples_hold():
    assert doctest.testmod(dates).failed == 0


@pytest.mark.parametrize(
    ("lexical", "datatype", "expected"),
    [
        ("2024-02", "gYearMonth", ("2024-02-01", "2024-02-29")),
        ("2025-10Z", "gYearMonth", ("2025-10-01", "2025-10-31")),
        ("1998-10-26-05:00", "date", ("1998-10-26", "1998-10-26")),
        ("2022-13", "gYearMonth", None),
        ("2025-02-30", "date", None),
        ("October 2022", "gYearMonth", None),
    ],
)
def test_bounds_cover_every_day_a_date_can_mean(lexical, datatype, expected):
    from pyoxigraph import Literal

    assert dates.bounds(Literal(lexical, datatype=NamedNode(dates.XSD + datatype))) == expected


def test_every_statement_of_a_claim_or_fact_has_its_statement_node(store):
    triples = select(
        store,
        f"""SELECT (COUNT(*) AS ?n) WHERE {{
          GRAPH ?g {{ ?s ?p ?o }}
          FILTER(STRSTARTS(STR(?g), "{ID}claim/") || STRSTARTS(STR(?g), "{ID}fact/"))
          FILTER(isIRI(?s) && ?p NOT IN (rdf:type, <http://www.w3.org/2000/01/rdf-schema#label>))
          FILTER NOT EXISTS {{ GRAPH ?g {{ ?s a rdf:Statement }} }}
        }}""",
    )
    written = select(
        store,
        f"""SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s a rdf:Statement }}
          FILTER(STRSTARTS(STR(?g), "{ID}claim/")) }}""",
    )
    nodes = select(
        store,
        f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH <{STATEMENTS_GRAPH}> {{
          {{ ?s a pek:ClaimStatement }} UNION {{ ?s a pek:VerifiedStatement }} }} }}""",
    )
    assert int(written[0]["n"]) == 4
    assert int(nodes[0]["n"]) == int(triples[0]["n"]) + int(written[0]["n"]) == 215


@pytest.mark.parametrize(
    ("statement", "rank", "best"),
    [
        (
            ID + "statement/verified/ecuador-peru-border-length.ecuador-peru-border.length",
            "Preferred",
            True,
        ),
        (STATEMENT + "border-length.ecuador-peru-border.length", "Normal", False),
        (
            STATEMENT + "jeri-interim-presidency.jose-jeri-president-of-peru.startDate",
            "Deprecated",
            False,
        ),
        (STATEMENT + "builds-on-peace-accord.peace-accord-1998.signingDate", "Normal", False),
        (
            STATEMENT + "jeri-interim-presidency.jose-jeri-president-of-peru.holder.jose-jeri",
            "Normal",
            True,
        ),
        # Quito and Carondelet Palace do not compete: a meeting's place is not single-valued.
        (STATEMENT + "meeting.quito-meeting-2025.hasPlace.quito", "Normal", True),
        (
            STATEMENT + "trade-2025-january-october.peru-ecuador-2025-01-to-2025-10.tradeValue",
            "Normal",
            True,
        ),
    ],
)
def test_each_statement_has_its_rank_and_is_best_unless_beaten(store, statement, rank, best):
    found = select(
        store,
        f"""SELECT ?rank (EXISTS {{ <{statement}> a wikibase:BestRank }} AS ?best)
          WHERE {{ <{statement}> wikibase:rank ?rank }}""",
    )
    assert found == [{"rank": f"http://wikiba.se/ontology#{rank}Rank", "best": str(best).lower()}]


def test_an_article_statement_carries_what_a_fact_checked_claim_needs(store):
    statement = STATEMENT + "trade-2024.peru-ecuador-2024.tradeValue"
    found = select(
        store,
        f"""SELECT ?p ?o WHERE {{ GRAPH <{STATEMENTS_GRAPH}> {{ <{statement}> ?p ?o
          FILTER(!isBlank(?o)) }} }} ORDER BY ?p ?o""",
    )
    pairs = {(row["p"].rsplit("/", 1)[-1].rsplit("#", 1)[-1], row["o"]) for row in found}
    assert pairs == {
        ("type", PEK + "ClaimStatement"),
        ("type", "http://wikiba.se/ontology#BestRank"),
        ("subject", ID + "trade/peru-ecuador-2024"),
        ("predicate", PEK + "tradeValue"),
        ("rank", "http://wikiba.se/ontology#NormalRank"),
        ("isPartOf", ID + "claim/2025-12-12-peru-ecuador/trade-2024"),
        ("wasDerivedFrom", ID + "article/2025-12-12-peru-ecuador/sentence/17"),
        ("appearance", ID + "article/2025-12-12-peru-ecuador"),
        ("datePublished", "2025-12-12"),
        ("author", ID + "article/2025-12-12-peru-ecuador/author"),
        ("status", PEK + "status/confirmed"),
        ("verifiedBy", ID + "fact/bilateral-trade-2024"),
    }


def test_a_blank_node_is_never_shared_between_two_graphs(store):
    graphs: dict[BlankNode, set[str]] = {}
    for quad in store:
        for term in (quad.subject, quad.object):
            if isinstance(term, BlankNode):
                graphs.setdefault(term, set()).add(str(quad.graph_name))
    assert {node: found for node, found in graphs.items() if len(found) > 1} == {}


def test_a_value_inside_a_value_node_gets_its_bounds_on_the_copy(store):
    found = select(
        store,
        f"""SELECT ?month ?earliest ?latest WHERE {{ GRAPH <{STATEMENTS_GRAPH}> {{
          <{STATEMENT}trade-2025-january-october.2025-01-to-2025-10.hasEnd> rdf:object ?end .
          ?end <http://www.w3.org/2006/time#inXSDgYearMonth> ?month ;
            pek:earliest ?earliest ; pek:latest ?latest }} }}""",
    )
    assert found == [{"month": "2025-10", "earliest": "2025-10-01", "latest": "2025-10-31"}]


def test_the_closure_answers_in_standard_terms(store):
    inferred = NamedNode(INFERRED_GRAPH)

    def has(s: str, p: str, o: str) -> bool:
        return any(store.quads_for_pattern(NamedNode(s), NamedNode(p), NamedNode(o), inferred))

    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert has(ID + "ecuador-peru-border", rdf_type, "https://schema.org/Place")
    assert has(ID + "tenure/jose-jeri-president-of-peru", rdf_type, "https://schema.org/Role")
    assert has(
        STATEMENT + "border-length.ecuador-peru-border.length", rdf_type, "https://schema.org/Claim"
    )
    assert has(
        ID + "trade/peru-ecuador-2024",
        "http://www.w3.org/ns/prov#wasAttributedTo",
        ID + "central-bank-of-ecuador",
    )
    assert has(
        ID + "peace-accord-1998", "https://schema.org/locationCreated", ID + "itamaraty-palace"
    )
    # Nothing the data already says is said again.
    for quad in store.quads_for_pattern(None, None, None, inferred):
        elsewhere = store.quads_for_pattern(quad.subject, quad.predicate, quad.object)
        assert [q.graph_name for q in elsewhere] == [inferred]


def test_the_article_mentions_every_entity_its_claims_name(store):
    found = {
        row["e"].removeprefix(ID)
        for row in select(
            store, f"SELECT ?e WHERE {{ <{ID}article/2025-12-12-peru-ecuador> schema:mentions ?e }}"
        )
    }
    assert {
        "jose-jeri",
        "dina-boluarte",
        "central-bank-of-ecuador",
        "quito",
        "pacific-ocean",
    } <= found
    assert {"alberto-fujimori", "topics", "delegation-roles", "carondelet-palace"}.isdisjoint(found)
    assert len(found) == 49


def test_every_claim_carries_its_articles_date_and_author(store):
    found = select(
        store,
        f"""SELECT ?date ?author (COUNT(?claim) AS ?claims) WHERE {{
          GRAPH ?g {{ ?claim a schema:Claim }} FILTER(STRSTARTS(STR(?g), "{iris.GRAPH_NS}article/"))
          ?claim schema:datePublished ?date ; schema:author ?author }} GROUP BY ?date ?author""",
    )
    assert found == [
        {
            "date": "2025-12-12",
            "author": ID + "article/2025-12-12-peru-ecuador/author",
            "claims": "35",
        }
    ]


def test_materialising_again_replaces_the_generated_graphs():
    store = open_store()
    before = len(store)
    materialise(store)
    assert len(store) == before


def test_two_values_that_would_share_a_statement_iri_fail_the_build(data_copy):
    edit(
        data_copy / CLAIMS,
        'schema:creditText "Web Editor" ;',
        'schema:creditText "Web Editor" , "Web" ;',
    )
    with pytest.raises(
        DataError, match=r"would share the IRI <.*byline\.2025-12-12-peru-ecuador\.creditText>"
    ):
        open_store(data_dir=data_copy)


# --- Each new check finds the problem it is for in a broken copy ---------------------------------


def test_a_second_value_written_on_the_entity_is_not_the_best_and_says_so(data_copy):
    edit(
        data_copy / CLAIMS,
        """    statement:border-length.ecuador-peru-border.length a rdf:Statement ;
        rdf:subject :ecuador-peru-border ;
        rdf:predicate pek:length ;
        rdf:object [""",
        "    :ecuador-peru-border pek:length [",
    )
    store = open_store(data_dir=data_copy)
    # The conflict it makes on the border is the one best-value-violation names, with the fix.
    assert check(store, "conflicting-values") == []
    statement = STATEMENT + "border-length.ecuador-peru-border.length"
    assert check(store, "best-value") == [
        (
            statement,
            "this value competes with the best one (1529 from "
            f"<{ID}fact/ecuador-peru-border-length>), so a plain query must not see it: write it "
            f"as a statement instead of a triple on <{ID}ecuador-peru-border>: <{statement}> a "
            f"rdf:Statement ; rdf:subject <{ID}ecuador-peru-border> ; rdf:predicate "
            f"<{PEK}length> ; rdf:object (the value as written)",
        )
    ]


def test_two_verified_values_of_one_fact_are_a_conflict(data_copy):
    # Another fact gives the border another length: both are verified, so neither is beaten.
    edit(
        data_copy / "verified.trig",
        "fact:colombia-ecuador-border-length {",
        "fact:colombia-ecuador-border-length {\n"
        '    :ecuador-peru-border pek:length [ schema:value "1530"^^xsd:decimal ] .',
    )
    store = open_store(data_dir=data_copy)
    assert check(store, "conflicting-values") == [
        (
            ID + "ecuador-peru-border",
            f"2 conflicting values of <{PEK}length> in the default graph: keep the best as a "
            "triple and write the others as rdf:Statements",
        )
    ]
    assert check(store, "best-value") == []


def test_a_deprecated_value_written_as_a_triple_is_not_a_best_value(data_copy):
    edit(
        data_copy / "reviews.trig",
        f"{ORIGIN_REVIEWED}\n        schema:reviewRating verdict:misattributed",
        f"{ORIGIN_REVIEWED}\n        schema:reviewRating verdict:corrected",
    )
    found = check(open_store(data_dir=data_copy), "best-value")
    statement = STATEMENT + "cocaine-transit.peru-cocaine-transit.origin.peru"
    assert found == [
        (
            statement,
            "a review finds this value wrong (deprecated), so a plain query must not see it: write "
            f"it as a statement instead of a triple on <{ID}peru-cocaine-transit>: <{statement}> a "
            f"rdf:Statement ; rdf:subject <{ID}peru-cocaine-transit> ; rdf:predicate "
            f"<{PEK}origin> ; rdf:object (the value as written)",
        )
    ]


def test_a_statement_reviewed_twice_has_two_statuses(data_copy):
    with (data_copy / "reviews.trig").open("a", encoding="utf-8") as reviews:
        reviews.write(
            "<https://w3id.org/peru-ecuador-kg/graph/reviews> {\n"
            f"  <{ID}review/again> a <https://schema.org/ClaimReview> ;\n"
            f"    <https://schema.org/itemReviewed> <{BORDER_STATEMENT}> ;\n"
            f"    <https://schema.org/reviewRating> <{PEK}verdict/confirmed> .\n}}\n"
        )
    store = open_store(data_dir=data_copy)
    border = BORDER_STATEMENT
    assert check(store, "statement-status") == [
        (border, "article statement with 2 statuses instead of exactly one")
    ]
    assert (border, "statement reviewed 2 times: one review per statement") in check(
        store, "review-rating"
    )


def test_a_free_text_rating_is_not_a_verdict(data_copy):
    edit(
        data_copy / "reviews.trig",
        "schema:reviewRating verdict:rounded ;",
        'schema:reviewRating [ a schema:Rating ; schema:alternateName "rounded"@en ] ;',
    )
    store = open_store(data_dir=data_copy)
    review = ID + "review/2025-12-12-peru-ecuador/border-1500-km"
    assert check(store, "review-rating") == [
        (review, "review whose rating is not a verdict of the pek:verdicts scheme")
    ]
    border = BORDER_STATEMENT
    assert check(store, "statement-status") == [
        (border, "article statement with 0 statuses instead of exactly one")
    ]


def test_an_ill_formed_date_has_no_bounds(data_copy):
    edit(
        data_copy / CLAIMS,
        'rdf:object "2022-10"^^xsd:gYearMonth',
        'rdf:object "2022-13"^^xsd:gYearMonth',
    )
    found = check(open_store(data_dir=data_copy), "date-bounds")
    assert found == [
        (
            STATEMENT + "jeri-interim-presidency.jose-jeri-president-of-peru.startDate",
            'statement whose date "2022-13" has no pek:earliest and pek:latest',
        )
    ]


def test_an_entity_without_a_lookup_outcome_fails(data_copy):
    edit(
        data_copy / "entities.trig",
        '"Lima"@es ;\n        pek:wikidataLookup lookup:none-verified .',
        '"Lima"@es .',
    )
    assert check(open_store(data_dir=data_copy), "wikidata-lookup") == [
        (
            ID + "lima",
            "entity with 0 Wikidata look-up outcomes from the scheme instead of exactly one",
        )
    ]


def test_a_fact_graph_without_its_record_fails(data_copy):
    with (data_copy / "verified.trig").open("a", encoding="utf-8") as verified:
        verified.write('fact:unrecorded { :peru schema:name "Peru"@en . }\n')
    assert check(open_store(data_dir=data_copy), "record-provenance") == [
        (
            ID + "fact/unrecorded",
            "fact graph without a pek:VerifiedFact record naming its sources in the verified graph",
        )
    ]
