"""The benchmark's data generator and results table (`make bench` runs the benchmark)."""

from collections import Counter

import pytest
from pyoxigraph import NamedNode, RdfFormat, Store

from bench import client, report
from bench.datagen import ID, VOCAB, XSD, dataset_path, triples
from bench.shapes import SHAPES

SCHEMA = "https://schema.org/"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def whole_stories(limit: int) -> int:
    """Return the size that ends with the last story complete within limit triples."""
    lines = list(triples(limit))
    last = max(i for i, line in enumerate(lines) if f"<{SCHEMA}mentions>" in line)
    return last + 1


@pytest.fixture(scope="module")
def tiny() -> Store:
    store = Store()
    store.bulk_load("".join(triples(whole_stories(2000))).encode(), RdfFormat.N_TRIPLES)
    return store


def count(store: Store, where: str) -> int:
    query = f"PREFIX v: <{VOCAB}> PREFIX s: <{SCHEMA}> PREFIX x: <{XSD}> "
    query += (
        f"PREFIX prov: <http://www.w3.org/ns/prov#> SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"
    )
    return int(next(iter(store.query(query)))["n"].value)


def test_generator_writes_exactly_the_count_asked_for_all_distinct() -> None:
    store = Store()
    store.bulk_load("".join(triples(2000)).encode(), RdfFormat.N_TRIPLES)
    assert len(store) == 2000


def test_generator_is_deterministic_per_seed() -> None:
    assert list(triples(3000, seed=3)) == list(triples(3000, seed=3))
    assert list(triples(3000, seed=3)) != list(triples(3000, seed=4))


def test_generator_makes_every_kind_of_news_entity(tiny: Store) -> None:
    kinds = Counter(q.object.value for q in tiny.quads_for_pattern(None, RDF_TYPE, None))
    stories = kinds[SCHEMA + "Event"]
    assert (kinds[VOCAB + "Country"], kinds[SCHEMA + "Organization"]) == (50, 20)
    assert kinds[SCHEMA + "Person"] == 50
    assert stories == 35  # 530 triples describe the population; stories share the other 1455
    assert kinds[SCHEMA + "NewsArticle"] == stories
    assert kinds[VOCAB + "TradeFlow"] == 3 * stories
    assert kinds[VOCAB + "Agreement"] == (stories + 3) // 4


def test_trade_flows_have_decimal_amounts_dates_and_provenance(tiny: Store) -> None:
    flows = count(tiny, "?f a v:TradeFlow")
    assert flows == count(
        tiny,
        "?f a v:TradeFlow ; v:amountUSD ?amount ; v:date ?d ; v:exporter ?e ; v:importer ?i ; "
        "prov:wasDerivedFrom ?article . ?article a s:NewsArticle ; s:about ?f . "
        "?e a v:Country . ?i a v:Country "
        "FILTER(datatype(?amount) = x:decimal && datatype(?d) = x:date)",
    )


def test_agreements_are_signed_by_two_people_for_two_countries(tiny: Store) -> None:
    agreements = count(tiny, "?a a v:Agreement")
    assert count(tiny, "?a a v:Agreement ; v:party ?c") == 2 * agreements
    assert count(tiny, "?a a v:Agreement ; v:signatory ?p . ?p a s:Person") == 2 * agreements


def test_point_lookup_shape_finds_the_person_described(tiny: Store) -> None:
    point = next(shape for shape in SHAPES if shape.name == "point")
    rows = list(tiny.query(point.query))
    assert len(rows) == 5
    assert {r["p"].value for r in rows} >= {SCHEMA + "name", VOCAB + "memberOf"}


def test_dataset_file_is_written_once_and_reused(tmp_path) -> None:
    path = dataset_path(tmp_path, 1000, seed=2)
    assert path.read_text().count("\n") == 1000
    assert path.read_text().startswith(f"<{ID}country/0> ")
    stamp = path.stat().st_mtime_ns
    assert dataset_path(tmp_path, 1000, seed=2).stat().st_mtime_ns == stamp


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [(10.0, 4.0, 2.5), (3.0, 0.0, None), (None, 2.0, None), (2.0, None, None)],
)
def test_ratio(numerator, denominator, expected) -> None:
    assert report.ratio(numerator, denominator) == expected


def test_medians_are_taken_over_rounds_per_server_and_shape() -> None:
    records = [
        {"server": "kg", "shape": "point", "rps": 100.0, "p99_ms": None},
        {"server": "kg", "shape": "point", "rps": 300.0, "p99_ms": 4.0},
        {"server": "kg", "shape": "point", "rps": 200.0, "p99_ms": 2.0},
        {"server": "oxigraph", "shape": "point", "rps": 50.0, "p99_ms": 1.0},
    ]
    merged = report.medians(records, ("server", "shape"), ("rps", "p99_ms"))
    assert merged == [
        {"server": "kg", "shape": "point", "rps": 200.0, "p99_ms": 3.0, "rounds": 3},
        {"server": "oxigraph", "shape": "point", "rps": 50.0, "p99_ms": 1.0, "rounds": 1},
    ]


def load_row(
    server: str, rps: float, p99: float | None, single: float = 0.01, **extra: object
) -> dict:
    return {
        "scale": 100, "server": server, "shape": "group", "connections": 8, "rps": rps,
        "p99_ms": p99, "non2xx": 0, "single_s": single, "uncached": True, "cpu_ms": 2.0, **extra,
    }  # fmt: skip


def test_table_gives_kg_over_floor_and_oxigraph_ratios_and_the_cached_rate() -> None:
    summary = {
        "load": [
            load_row("kg", 90.0, 30.0),
            load_row("kg", 900.0, 3.0, uncached=False),
            load_row("floor", 100.0, 25.0),
            load_row("oxigraph", 120.0, 20.0),
        ]
    }
    lines = report.load_table(summary, 100, ["kg", "floor", "oxigraph"])
    expected = (
        "| group | 8 | 90 | 30.00 | 2.00 | 100 | 25.00 | 2.00 | 120 | 20.00 | 2.00 "
        "| 0.90× | 0.75× | 1.50× | 900 |"
    )
    assert lines[2] == expected


def test_table_estimates_the_ratio_when_rdflib_finished_nothing() -> None:
    summary = {"load": [load_row("kg", 90.0, 30.0), load_row("rdflib", 0.0, None, single=2.0)]}
    lines = report.load_table(summary, 100, ["kg", "rdflib"])
    assert lines[2] == "| group | 8 | 90 | 30.00 | 2.00 | 0.0 | – | 2.00 | ≈180.00× | – |"


def test_goals_are_judged_on_uncached_figures_at_8_connections() -> None:
    point = {"shape": "point"}
    summary = {
        "load": [
            load_row("kg", 950.0, 5.0, **point),
            load_row("kg", 5000.0, 1.0, uncached=False, **point),
            load_row("floor", 1000.0, 5.0, **point),
            load_row("oxigraph", 10000.0, 1.0, **point),
            load_row("kg", 10.0, 100.0),
            load_row("kg", 10.0, 400.0, connections=32, non2xx=3),
            load_row("oxigraph", 10.0, 100.0),
        ],
        "stream": [{"scale": 100, "server": "kg", "after": "rest", "ttfb_ms": 5.0}],
        "servers": [{"scale": 100, "server": "kg", "idle_pss_mib": 130.0}],
        "bare": [{"scale": 100, "idle_pss_mib": 40.0}],
    }
    judged = {g["goal"]: g["met"] for g in report.goals(summary, 100)}
    assert judged == {
        "point lookups ≥ 0.9× the floor server": True,
        "point lookups ≥ 0.35× oxigraph (stretch)": False,
        "joins, ranges, aggregates, CONSTRUCT, 50k rows ≥ 0.95× oxigraph": True,
        "zero non-2xx at 8 and 32 connections, every shape": False,
        "p99 at 8 connections ≤ 1.3× oxigraph's on heavy shapes": True,
        "first byte of 500k rows < 50 ms, also after 100 disconnects": True,
        "idle PSS ≤ bare store process + 100 MiB": True,
        "runaway: 504 within deadline + 0.5 s, CPU freed, under load": None,
    }


def test_distinct_texts_vary_the_person_and_keep_the_shape_elsewhere() -> None:
    point, group = (next(s for s in SHAPES if s.name == name) for name in ("point", "group"))
    before, modulus, after = point.distinct(100_000)
    assert (modulus, before + "42" + after) == (1000, point.query)
    assert group.distinct(100_000) == (group.query, 0, "")
    args = client.distinct_args("http://127.0.0.1:1/sparql", point, 100_000)
    assert args[0].startswith("/sparql?query=PREFIX%20") and args[1:3] == [
        "1000",
        "%3E%20%3Fp%20%3Fo%20%7D",
    ]


def test_wrk_summary_line_is_turned_into_figures() -> None:
    out = (
        "Running 2s test\n"
        'BENCH-JSON {"requests":500,"duration_us":2000000,"bytes":1000000,'
        '"errors":{"connect":0,"read":0,"write":0,"status":3,"timeout":1},'
        '"latency_us":{"mean":900.0,"p50":800,"p90":1500,"p99":4000,"max":9000}}\n'
    )
    assert client.parse_wrk(out) == {
        "requests": 500, "rps": 250.0, "mb_s": 0.5, "p50_ms": 0.8, "p90_ms": 1.5, "p99_ms": 4.0,
        "errors": 4, "non2xx": 3,
    }  # fmt: skip


def test_results_are_counted_per_format() -> None:
    body = b'{"head":{"vars":["x"]},"results":{"bindings":[{},{},{}]}}'
    assert client.count_results("application/sparql-results+json", body) == 3
    assert client.count_results("application/n-triples", b"<a> <b> <c> .\n\n<a> <b> <d> .\n") == 2
