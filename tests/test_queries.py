"""Every query file answers its question exactly; every violation check finds nothing."""

from pathlib import Path

import pytest
from support.articles import REFERENCE, data_copy

from kg.execution.embedded import EmbeddedBackend
from kg.graph.build import open_store
from kg.pipeline import Services
from kg.resources import queries_dir
from kg.settings import Settings

ANSWERS = Path(__file__).parent / "answers"
QUERIES = sorted(queries_dir().glob("*.rq"))
CHECKS = sorted((queries_dir() / "checks").glob("*-violation.rq"))
TSV = "text/tab-separated-values"


@pytest.fixture(scope="module")
def reference_data(tmp_path_factory):
    """Return a copy of the data with the article the answers were written for, and no other."""
    return data_copy(tmp_path_factory.mktemp("reference") / "data", articles=[REFERENCE])


@pytest.fixture
def services(reference_data):
    settings = Settings()
    store = open_store(data_dir=reference_data)
    return Services(settings, EmbeddedBackend(store))


def run(services, path: Path) -> bytes:
    return services.run_query(path.read_text(encoding="utf-8"), lambda form: TSV).read_all()


def test_the_issue_questions_each_have_a_query_and_an_answer():
    assert [q.stem for q in QUERIES] == [
        "agreement-commitments",
        "agreement-place-and-date",
        "border-length",
        "delegation-leaders",
        "disputed-claims",
        "interim-president-predecessor",
        "peace-accord-signing",
        "supporting-sentence",
        "trade-by-period",
        "unlinked-entities",
        "wikidata-capital-of-host-country",
        "wikidata-countries-bordering-peru-and-ecuador",
        "wikidata-president-of-peru-on-date",
        "wikidata-presidents-birth-dates",
    ]
    assert sorted(a.stem for a in ANSWERS.glob("*.tsv")) == [q.stem for q in QUERIES]


@pytest.mark.parametrize("query", QUERIES + CHECKS, ids=lambda q: q.name)
def test_each_query_states_its_question_and_orders_its_rows(query):
    text = query.read_text(encoding="utf-8")
    assert text.startswith("# Question: ")
    assert "\nORDER BY " in text


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.stem)
def test_each_query_gives_its_expected_answer(services, query):
    assert run(services, query) == (ANSWERS / f"{query.stem}.tsv").read_bytes()


@pytest.mark.parametrize("check", CHECKS, ids=lambda q: q.stem)
def test_each_violation_check_finds_nothing_in_the_shipped_data(check):
    settings = Settings()
    shipped = Services(settings, EmbeddedBackend(open_store()))
    assert run(shipped, check) == b"?focus\t?message\n"


def test_the_border_answer_keeps_the_article_figure_beside_the_verified_one(services):
    rows = run(services, queries_dir() / "border-length.rq").decode().splitlines()
    decimal = "^^<http://www.w3.org/2001/XMLSchema#decimal>"
    assert rows[1].split("\t")[:4] == [
        f'"1500"{decimal}',
        f'"1529"{decimal}',
        "<http://qudt.org/vocab/unit/KiloM>",
        f'"29"{decimal}',
    ]
