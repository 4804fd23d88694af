"""The README's "The model" stays true to the data: its diagram's edges and its figures."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pyoxigraph import Store

from kg.graph.build import open_store
from kg.resources import queries_dir

README = Path(__file__).resolve().parent.parent / "README.md"
ANSWERS = Path(__file__).parent / "answers"
PREFIXES = {
    "schema": "https://schema.org/",
    "pek": "https://w3id.org/peru-ecuador-kg/ontology/",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
}
NODE = re.compile(r'(\w+)\["([^"]+)"\]')
EDGE = re.compile(r'(\w+)(?:\["[^"]+"\])?\s*-->\|"?([^|"]+?)"?\|\s*(\w+)')


def model_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text.split("## The model\n", 1)[1].split("\n## ", 1)[0]


def diagram() -> str:
    return model_section().split("```mermaid\n", 1)[1].split("```", 1)[0]


def expand(curie: str) -> str:
    prefix, _, local = curie.partition(":")
    return PREFIXES[prefix] + local


def node_classes() -> dict[str, str]:
    """Map each node of the diagram to the class its label starts with."""
    return {
        node: expand(label.split("<br/>")[0].split()[0]) for node, label in NODE.findall(diagram())
    }


def edges() -> list[tuple[str, str, str]]:
    return EDGE.findall(diagram())


@pytest.fixture(scope="module")
def store() -> Store:
    return open_store()


def test_the_diagram_has_its_nodes_and_edges():
    assert len(node_classes()) == 13
    assert len(edges()) == 18


@pytest.mark.parametrize(("source", "label", "target"), edges(), ids=lambda v: str(v))
def test_each_edge_of_the_diagram_is_in_the_data(store, source, label, target):
    classes = node_classes()
    predicate = expand(label.split()[0])
    subject, value = (target, source) if "(inverse)" in label else (source, target)
    ask = f"ASK {{ ?s <{predicate}> ?o . ?s a <{classes[subject]}> . ?o a <{classes[value]}> }}"
    assert store.query(ask, use_default_graph_as_union=True), f"{source} -{label}-> {target}"


def test_the_status_figures_are_the_answer_of_the_status_query():
    said = re.search(
        r"Of the article's (\d+) statements, (\d+) are confirmed,\s+(\d+) corrected, "
        r"(\d+) disputed, (\d+) outdated and (\d+) unconfirmed",
        model_section(),
    )
    assert said is not None
    total, *counts = (int(n) for n in said.groups())
    rows = (ANSWERS / "status-counts.tsv").read_text(encoding="utf-8").splitlines()[1:]
    found = {row.split("\t")[0]: int(row.split("\t")[1]) for row in rows}
    statuses = ("confirmed", "corrected", "disputed", "outdated", "unconfirmed")
    assert counts == [found[f'"{status}"@en'] for status in statuses]
    assert total == sum(found.values())


def test_every_query_the_model_names_exists():
    named = set(re.findall(r"queries/([\w-]+)\.rq", model_section()))
    assert named
    assert named <= {path.stem for path in queries_dir().glob("*.rq")}
