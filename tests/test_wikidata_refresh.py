"""`kg wikidata refresh` and `kg wikidata candidates` against a local Wikidata stand-in."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store
from wikidata_standin import StandIn, serve_standin

from kg.cli import main
from kg.iris import ID_NS
from kg.wikidata.extract import EXTRACT_PATH
from kg.wikidata.refresh import read_extract

LINKS = f"""
@prefix : <{ID_NS}> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
:peru a schema:Country ; rdfs:label "Peru"@en ; owl:sameAs wd:Q419 .
:ecuador a schema:Country ; rdfs:label "Ecuador"@en ; owl:sameAs wd:Q736 .
:colombia a schema:Country ; rdfs:label "Colombia"@en ; owl:sameAs wd:Q739 .
:quito a schema:City ; rdfs:label "Quito"@en ; owl:sameAs wd:Q2900 .
:capital-of-ecuador a schema:City ; rdfs:label "Quito"@es .
:atlantis a schema:City ; rdfs:label "Atlantis"@en .
:a-claim a schema:Claim ; rdfs:label "Peru"@en .
"""
WD = "http://www.wikidata.org/entity/"
LABEL = NamedNode("http://www.w3.org/2000/01/rdf-schema#label")


@pytest.fixture
def standin() -> Iterator[StandIn]:
    store = Store()
    store.load(path=str(EXTRACT_PATH), format=RdfFormat.TURTLE)
    ecuador = NamedNode(WD + "Q736")
    store.remove(Quad(ecuador, LABEL, Literal("Ecuador", language="es")))
    store.add(Quad(ecuador, LABEL, Literal("República del Ecuador", language="es")))
    store.add(
        Quad(
            NamedNode(WD + "Q419"),
            NamedNode("http://www.wikidata.org/prop/direct/P47"),
            NamedNode(WD + "Qfixture-not-in-the-graph"),
        )
    )
    with serve_standin(store) as app:
        yield app


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    links = tmp_path / "links.ttl"
    links.write_text(LINKS)
    output = tmp_path / "extract.ttl"
    shutil.copy(EXTRACT_PATH, output)
    return links, output


def kg(standin: StandIn, links: Path, *args: str) -> tuple[int, str]:
    common = ["--endpoint", standin.url, "--contact", "mailto:ops@example.org"]
    result = CliRunner().invoke(
        main, ["wikidata", *args[:1], *common, "--no-article", "--data", str(links), *args[1:]]
    )
    return result.exit_code, result.stdout + result.stderr[-200:] * (result.exit_code != 0)


def test_refresh_rewrites_the_extract_and_summarises_what_changed(
    standin: StandIn, files: tuple[Path, Path]
) -> None:
    links, output = files
    code, out = kg(standin, links, "refresh", "--output", str(output))
    assert code == 0, out
    assert len(standin.queries) == 4
    assert {r["User-Agent"] for r in standin.requests} == {
        f"peru-ecuador-kg/0.1.0 (mailto:ops@example.org) python-requests/{requests.__version__}"
    }
    assert (
        "wd:Q736: +1 -4\n"
        "  + <http://www.wikidata.org/entity/Q736> <http://www.w3.org/2000/01/rdf-schema#label> "
        '"República del Ecuador"@es\n'
    ) in out
    assert "wd:Q112075625: +0 -18\n" in out
    assert out.endswith(f"4 items read, 16 items changed; wrote {output}\n")
    refreshed = read_extract(output)
    labels = {str(t.object) for t in refreshed if t.subject == NamedNode(WD + "Q736")}
    assert '"República del Ecuador"@es' in labels
    assert '"Ecuador"@es' not in labels
    assert not any("fixture" in str(t.object) for t in refreshed)
    assert not any(str(t.subject) == f"<{WD}Q112075625>" for t in refreshed)


def test_a_second_refresh_changes_nothing(standin: StandIn, files: tuple[Path, Path]) -> None:
    links, output = files
    kg(standin, links, "refresh", "--output", str(output))
    code, out = kg(standin, links, "refresh", "--output", str(output))
    assert (code, out.splitlines()[-1]) == (
        0,
        f"4 items read, 0 items changed; wrote {output}",
    )


def test_refresh_stops_on_429_and_leaves_the_extract_alone(
    standin: StandIn, files: tuple[Path, Path]
) -> None:
    links, output = files
    standin.too_many = "30"
    code, out = kg(standin, links, "refresh", "--output", str(output))
    assert code == 1
    assert "is rate-limiting this server (HTTP 429); retry after 30 s" in out
    assert output.read_bytes() == EXTRACT_PATH.read_bytes()


def test_candidates_propose_items_by_label_and_write_nothing(
    standin: StandIn, files: tuple[Path, Path]
) -> None:
    links, _ = files
    before = links.read_bytes()
    code, out = kg(standin, links, "candidates")
    assert code == 0, out
    assert out.splitlines()[-2:] == [
        f"<{ID_NS}capital-of-ecuador>\twd:Q2900\tQuito",
        "2 unlinked entities, 1 with proposals. Nothing was written: check each proposal, "
        "then add `<entity> owl:sameAs wd:Q…` to the entity's data file.",
    ]
    assert links.read_bytes() == before
    assert standin.requests[0]["User-Agent"].startswith("peru-ecuador-kg/0.1.0 (mailto:ops@")
