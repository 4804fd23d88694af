"""Two releases around a new article: the changelog holds its statements, and nothing else.

The first release is the reference data; the second adds the fictional fixture article (its
folder copied into the data, as a person adds one). What the second release's patch adds is
computed here another way: the quads of its dataset that belong to the new article (its graphs,
the statements, entities and entailments about what it minted, and the versions), and the patch
must hold exactly those; it removes only the first release's version triples.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pyoxigraph import BlankNode, NamedNode, Quad, RdfFormat, parse
from support.articles import FIXTURE, FIXTURES, REFERENCE, data_copy

from kg import iris, vocab
from kg.release.patch import read_patch
from kg.release.publish import Published, publish

FIRST, SECOND = "1.0.0", "1.1.0"
VERSIONS = {vocab.OWL + name for name in ("versionIRI", "versionInfo", "priorVersion")}
OWNED = tuple(
    f"{iris.ID_NS}{kind}/{FIXTURE}" for kind in ("article", "claim", "statement", "annotation")
)
"""The IRIs the new article mints start with one of these."""


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Published]:
    base = tmp_path_factory.mktemp("new-article")
    data = data_copy(base / "data", [REFERENCE])
    root = base / "releases"
    publish(FIRST, root, data_dir=data, issued=datetime(2026, 1, 1, tzinfo=UTC))
    shutil.copytree(FIXTURES / FIXTURE, data / "articles" / FIXTURE)
    second = publish(SECOND, root, data_dir=data, issued=datetime(2026, 2, 1, tzinfo=UTC))
    return root, second


def quads_of(lines: set[str]) -> dict[str, Quad]:
    """Parse N-Quads lines, keeping each quad's line."""
    return {line: next(iter(parse(line.encode(), format=RdfFormat.N_QUADS))) for line in lines}


def belongs_to_new_article(quad: Quad, owners: dict[BlankNode, Quad], entities: set[str]) -> bool:
    """Tell whether a quad of the second release is there because the new article was added."""
    graph = quad.graph_name.value if isinstance(quad.graph_name, NamedNode) else ""
    if graph.startswith(OWNED) or graph == f"{iris.GRAPH_NS}article/{FIXTURE}":
        return True
    subject = quad.subject
    while isinstance(subject, BlankNode) and subject in owners:
        subject = owners[subject].subject
    name = subject.value if isinstance(subject, NamedNode) else ""
    in_entities = graph == f"{iris.GRAPH_NS}entities" and name in entities
    return name.startswith(OWNED) or in_entities or quad.predicate.value in VERSIONS


def patch_lines(path: Path) -> tuple[set[str], set[str]]:
    """Return the lines a release's patch adds and the lines it deletes."""
    rows = read_patch(path.read_text(encoding="utf-8")).rows
    added = {line for code, line in rows if code == "A"}
    removed = {line for code, line in rows if code == "D"}
    return added, removed


def test_the_changelog_adds_exactly_the_new_articles_statements(
    releases: tuple[Path, Published],
) -> None:
    root, _ = releases
    added, removed = patch_lines(root / SECOND / "changes.rdfp")
    dataset = quads_of(set((root / SECOND / "dataset.nq").read_text("utf-8").splitlines()))
    owners = {q.object: q for q in dataset.values() if isinstance(q.object, BlankNode)}
    entities = {
        q.subject.value
        for q in parse(path=FIXTURES / FIXTURE / "entities.trig", format=RdfFormat.TRIG)
    }
    expected = {
        line for line, quad in dataset.items() if belongs_to_new_article(quad, owners, entities)
    }
    added_text = {line.rstrip("\n").removesuffix(" .") for line in added}
    expected_text = {line.removesuffix(" .") for line in expected}
    assert added_text == expected_text
    assert {q.predicate.value for q in quads_of(removed).values()} == {
        vocab.OWL + "versionIRI",
        vocab.OWL + "versionInfo",
    }


def test_the_changelog_touches_the_article_its_claims_and_what_the_build_derives(
    releases: tuple[Path, Published],
) -> None:
    _, second = releases
    graphs = {graph.removeprefix(iris.BASE) for graph in second.changes}
    claims = {f"id/claim/{FIXTURE}/{name}" for name in ("headline", "date-published")} | {
        f"id/claim/{FIXTURE}/0{n}" for n in range(3, 7)
    }
    assert graphs == {
        f"graph/article/{FIXTURE}",
        "graph/entities",
        "graph/statements",
        "graph/inferred",
        "graph/ontology",
        *claims,
    }
    assert all(
        not change.removed for graph, change in second.changes.items() if "ontology" not in graph
    )


def test_the_summary_names_the_new_article_and_its_claims(
    releases: tuple[Path, Published],
) -> None:
    root, _ = releases
    summary = (root / SECOND / "CHANGES.md").read_text(encoding="utf-8")
    sections = dict(part.split("\n", 1) for part in summary.split("\n## ")[1:])
    headline = "Fictional test story: Peru and Ecuador open a joint border post"
    assert f'- new: id/article/{FIXTURE}, "{headline}"' in sections["Articles"]
    new_claims = [line for line in sections["Claims"].splitlines() if line.startswith("- new: ")]
    assert [line.split(",", 1)[0] for line in new_claims] == [
        f"- new: id/claim/{FIXTURE}/{name}"
        for name in ("03", "04", "05", "06", "date-published", "headline")
    ]
    said = "Ejemplo said that Jerí has been interim president of Peru since October 2025."
    assert f'- new: id/claim/{FIXTURE}/06, "{said}"' in sections["Claims"]
    assert "No change." in sections["Verdicts"] and "No change." in sections["Wikidata links"]
    assert not any(line.startswith(("- removed", "- changed")) for line in summary.splitlines())
