"""``kg release``: the files of a release, its checksums, its changelog, and what it refuses."""

from __future__ import annotations

import doctest
import hashlib
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, RdfFormat, Store, parse
from support.datasets import canonical
from support.releases import (
    BODY,
    FIRST,
    NEW_BODY,
    NEW_VERDICT,
    REVIEW,
    SECOND,
    STATEMENT,
    VERDICT,
    Releases,
    two_releases,
)

from kg import iris
from kg.cli import main
from kg.graph.build import open_store
from kg.release import canonical as canonical_module
from kg.release import names
from kg.release import patch as patch_module
from kg.release.canonical import canonical_quads, nquads
from kg.release.catalog import Catalog, read_release, verify
from kg.release.names import ReleaseError, check_version
from kg.release.patch import apply_patch, diff, read_patch
from kg.release.publish import publish
from kg.release.summary import summarize
from kg.resources import DATA_DIR

SCHEMA = "https://schema.org/"
OWL = "http://www.w3.org/2002/07/owl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> Releases:
    """Two releases that the tests read and never change."""
    return two_releases(tmp_path_factory.mktemp("releases"))


def patch_rows(path: Path) -> Counter[tuple[str, str, str, str, str]]:
    """Read a release's patch as (A/D, s, p, o, g) with blank nodes written as _:b."""
    rows: Counter[tuple[str, str, str, str, str]] = Counter()
    for code, line in read_patch(path.read_text(encoding="utf-8")).rows:
        quad = next(iter(parse(line.encode(), format=RdfFormat.N_QUADS)))
        terms = [quad.subject, quad.predicate, quad.object, quad.graph_name]
        shown = ["_:b" if isinstance(t, BlankNode) else str(t) for t in terms]
        rows[(code, *shown)] += 1
    return rows


def test_a_release_holds_every_file_with_matching_checksums(releases: Releases) -> None:
    folder = releases.root / FIRST
    assert sorted(p.name for p in folder.iterdir()) == sorted(names.MEDIA_TYPES)
    sums = dict(
        reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines()
    )
    assert set(sums) == set(names.MEDIA_TYPES) - {"SHA256SUMS"}
    for name, digest in sums.items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert verify(read_release(folder)) == []


def test_checksums_pass_sha256sum_check(releases: Releases) -> None:
    if shutil.which("sha256sum") is None:
        pytest.skip("sha256sum is not installed")
    done = subprocess.run(
        ["sha256sum", "--check", "--strict", "SHA256SUMS"],
        cwd=releases.root / SECOND,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(": OK") == len(names.MEDIA_TYPES) - 1


def test_verify_names_a_file_that_changed(releases: Releases, tmp_path: Path) -> None:
    copy = tmp_path / FIRST
    shutil.copytree(releases.root / FIRST, copy)
    (copy / "dataset.trig").chmod(0o644)
    (copy / "dataset.trig").write_bytes(b"# tampered\n")
    assert verify(read_release(copy)) == [
        f"{copy / 'dataset.trig'}: SHA-256 differs from SHA256SUMS"
    ]


def test_every_format_holds_the_same_dataset(releases: Releases) -> None:
    folder = releases.root / SECOND
    built = open_store(data_dir=releases.data)
    void = NamedNode(iris.VOID_GRAPH)
    expected = [q for q in built if q.graph_name != void]
    quads = {
        name: list(parse(path=folder / name, format=fmt))
        for name, fmt in (
            ("dataset.nq", RdfFormat.N_QUADS),
            ("dataset.trig", RdfFormat.TRIG),
            ("dataset.jsonld", RdfFormat.JSON_LD),
        )
    }
    versions = {OWL + "versionIRI", OWL + "versionInfo", OWL + "priorVersion"}
    for name, found in quads.items():
        data = [q for q in found if q.predicate.value not in versions]
        assert canonical(data) == canonical(
            q for q in expected if q.predicate.value not in versions
        ), name
    union = {(t.subject, t.predicate, t.object) for t in parse(path=folder / "dataset.ttl")}
    assert len(union) == len({(q.subject, q.predicate, q.object) for q in quads["dataset.nq"]})


def test_the_ontology_carries_the_release_version(releases: Releases) -> None:
    ontology = NamedNode(iris.ONTOLOGY)
    store = Store()
    store.load(path=releases.root / SECOND / "ontology.ttl", format=RdfFormat.TURTLE)
    values = {
        q.predicate.value: q.object
        for q in store.quads_for_pattern(ontology, None, None)
        if q.predicate.value.startswith(OWL)
    }
    assert values[OWL + "versionIRI"] == NamedNode(names.ontology_version_iri(SECOND))
    assert values[OWL + "versionInfo"] == Literal(SECOND)
    assert values[OWL + "priorVersion"] == NamedNode(names.ontology_version_iri(FIRST))


def test_the_description_gives_version_date_predecessor_and_files(releases: Releases) -> None:
    store = Store()
    store.load(path=releases.root / SECOND / "description.ttl", format=RdfFormat.TURTLE)
    release = f"<{names.release_iri(SECOND)}>"
    answer = store.query(f"""
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?version ?issued ?previous WHERE {{
          {release} dcat:version ?version ; dcterms:issued ?issued ;
                    dcat:previousVersion ?previous }}""")
    rows = [(r["version"], r["issued"], r["previous"]) for r in answer]
    assert rows == [
        (
            Literal(SECOND),
            Literal("2026-02-01T00:00:00Z", datatype=NamedNode(XSD + "dateTime")),
            NamedNode(names.release_iri(FIRST)),
        )
    ]
    files = store.query(f"""
        PREFIX dcat: <http://www.w3.org/ns/dcat#>
        PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?file ?size ?sum WHERE {{
          ?file dcat:downloadURL ?file ; dcat:byteSize ?size ;
                spdx:checksum/spdx:checksumValue ?sum
          FILTER(STRSTARTS(STR(?file), STR({release}))) }}""")
    described = {
        r["file"].value.rsplit("/", 1)[1]: (int(r["size"].value), r["sum"].value) for r in files
    }
    folder = releases.root / SECOND
    on_disk = {
        p.name: (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
        for p in folder.iterdir()
        if p.name not in ("description.ttl", "SHA256SUMS")
    }
    assert described == on_disk


def test_the_changelog_lists_exactly_the_changed_statements(releases: Releases) -> None:
    reviews = f"<{iris.REVIEWS_GRAPH}>"
    ontology, ontology_graph = f"<{iris.ONTOLOGY}>", f"<{iris.ONTOLOGY_GRAPH}>"
    review = f"<{REVIEW}>"

    def version(code: str, prop: str, value: str) -> tuple[str, str, str, str, str]:
        return (code, ontology, f"<{OWL}{prop}>", value, ontology_graph)

    def rating(code: str, verdict: str) -> tuple[str, str, str, str, str]:
        return (code, review, f"<{SCHEMA}reviewRating>", f"<{verdict}>", reviews)

    def rank(code: str, name: str) -> tuple[str, str, str, str, str]:
        # A verdict that finds the value wrong deprecates the statement it reviews.
        statements = f"<{iris.GRAPH_NS}statements>"
        wikibase = "http://wikiba.se/ontology#"
        return (code, f"<{STATEMENT}>", f"<{wikibase}rank>", f"<{wikibase}{name}>", statements)

    expected = Counter(
        [
            ("D", review, f"<{SCHEMA}reviewBody>", f'"{BODY}"@en', reviews),
            ("A", review, f"<{SCHEMA}reviewBody>", f'"{NEW_BODY}"@en', reviews),
            rating("D", VERDICT),
            rating("A", NEW_VERDICT),
            rank("D", "NormalRank"),
            rank("A", "DeprecatedRank"),
            version("D", "versionIRI", f"<{names.ontology_version_iri(FIRST)}>"),
            version("D", "versionInfo", f'"{FIRST}"'),
            version("A", "versionIRI", f"<{names.ontology_version_iri(SECOND)}>"),
            version("A", "versionInfo", f'"{SECOND}"'),
            version("A", "priorVersion", f"<{names.ontology_version_iri(FIRST)}>"),
        ]
    )
    assert patch_rows(releases.root / SECOND / "changes.rdfp") == expected


def test_the_patch_names_its_release_and_the_one_before(releases: Releases) -> None:
    patch = read_patch((releases.root / SECOND / "changes.rdfp").read_text(encoding="utf-8"))
    assert patch.header == {"id": names.release_iri(SECOND), "prev": names.release_iri(FIRST)}
    first = read_patch((releases.root / FIRST / "changes.rdfp").read_text(encoding="utf-8"))
    assert first.header == {"id": names.release_iri(FIRST)}


def test_the_patches_replayed_rebuild_each_release(releases: Releases) -> None:
    lines: set[str] = set()
    for version in (FIRST, SECOND):
        folder = releases.root / version
        lines = apply_patch(lines, read_patch((folder / "changes.rdfp").read_text("utf-8")))
        written = (folder / "dataset.nq").read_text(encoding="utf-8").splitlines(keepends=True)
        assert lines == set(written), version


def test_the_summary_names_the_changed_verdict(releases: Releases) -> None:
    summary = (releases.root / SECOND / "CHANGES.md").read_text(encoding="utf-8")
    assert summary.startswith(f"# Release {SECOND}\n\nIssued 2026-02-01T00:00:00Z. Changes since")
    review = REVIEW.removeprefix(iris.BASE)
    statement = STATEMENT.removeprefix(iris.BASE)
    assert f'- changed: {review}, {statement}: "Rounded" → "Wrong"' in summary
    sections = re.findall(r"## (\w[\w ]*)\n\n[^\n]*\n\n(No change\.|- )", summary)
    assert dict(sections) == {
        "Articles": "No change.",
        "Claims": "No change.",
        "Verdicts": "- ",
        "Wikidata links": "No change.",
    }
    assert "| graph/reviews | 2 | 2 |" in summary
    assert "| graph/statements | 1 | 1 |" in summary
    assert "| graph/ontology | 2 | 3 |" in summary


def test_an_unchanged_graph_gives_an_empty_diff() -> None:
    first, second = open_store(), open_store()
    labels = {q.object.value for q in first if isinstance(q.object, BlankNode)}
    again = {q.object.value for q in second if isinstance(q.object, BlankNode)}
    assert labels and not labels & again, "each build labels its blank nodes afresh"
    void = NamedNode(iris.VOID_GRAPH)
    old = nquads(canonical_quads(q for q in first if q.graph_name != void))
    new = nquads(canonical_quads(q for q in second if q.graph_name != void))
    assert diff(old.splitlines(keepends=True), new.splitlines(keepends=True)) == {}


def test_a_change_elsewhere_keeps_blank_node_labels() -> None:
    p, v = NamedNode("http://example.org/p"), NamedNode("http://example.org/v")
    g = NamedNode("http://example.org/g")

    def molecule(subject: str, value: str) -> list[Quad]:
        node = BlankNode()
        return [Quad(NamedNode(subject), p, node, g), Quad(node, v, Literal(value), g)]

    before = canonical_quads([*molecule("http://e/a", "1"), *molecule("http://e/b", "2")])
    after = canonical_quads(
        [*molecule("http://e/a", "1"), *molecule("http://e/b", "3"), *molecule("http://e/c", "4")]
    )
    changes = diff(nquads(before).splitlines(True), nquads(after).splitlines(True))
    assert [len(c.removed) for c in changes.values()] == [2]
    assert [len(c.added) for c in changes.values()] == [4]
    kept = [line for line in nquads(after).splitlines() if '"1"' in line]
    assert kept[0] in nquads(before)


def test_identical_molecules_are_not_merged() -> None:
    p = NamedNode("http://example.org/p")
    subject = NamedNode("http://example.org/s")
    quads = canonical_quads([Quad(subject, p, BlankNode()), Quad(subject, p, BlankNode())])
    assert len(quads) == 2 and len({q.object for q in quads}) == 2


def test_the_summary_lists_new_articles_claims_and_links() -> None:
    def store(text: str) -> Store:
        found = Store()
        found.load(text.encode(), format=RdfFormat.TRIG)
        return found

    prefixes = (
        "@prefix schema: <https://schema.org/> . @prefix owl: <http://www.w3.org/2002/07/owl#> ."
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."
        "@prefix : <https://w3id.org/peru-ecuador-kg/id/> ."
    )
    old = store(prefixes + ':a1 a schema:NewsArticle . :c1 a schema:Claim ; rdfs:label "one"@en .')
    new = store(
        prefixes + ':a1 a schema:NewsArticle . :a2 a schema:NewsArticle ; schema:headline "Two" .'
        ':c1 a schema:Claim ; rdfs:label "one, reworded"@en . :c2 a schema:Claim .'
        ":lima owl:sameAs <http://www.wikidata.org/entity/Q2868> ."
    )
    sections = {s.title: s for s in summarize(old, new)}
    assert sections["Articles"].added == [(f"<{iris.ID_NS}a2>", '"Two"')]
    assert sections["Claims"].added == [(f"<{iris.ID_NS}c2>", "")]
    assert sections["Claims"].changed == [
        ((f"<{iris.ID_NS}c1>", '"one"@en'), (f"<{iris.ID_NS}c1>", '"one, reworded"@en'))
    ]
    assert sections["Wikidata links"].added == [
        (f"<{iris.ID_NS}lima>", "<http://www.wikidata.org/entity/Q2868>")
    ]
    assert sections["Verdicts"].empty


def test_the_catalog_orders_releases_and_finds_the_latest(releases: Releases) -> None:
    catalog = Catalog(releases.root)
    assert [r.version for r in catalog.releases()] == [FIRST, SECOND]
    assert catalog.latest() is not None and catalog.latest().version == SECOND
    assert [r.version for r in catalog.chain()] == [FIRST, SECOND]
    assert catalog.find("9.9") is None


def test_a_damaged_release_folder_is_skipped_not_fatal(releases: Releases, tmp_path: Path) -> None:
    root = tmp_path / "releases"
    shutil.copytree(releases.root, root)
    description = root / FIRST / "description.ttl"
    (root / FIRST).chmod(0o755)
    description.chmod(0o644)
    description.write_text("this is not Turtle", encoding="utf-8")
    assert [r.version for r in Catalog(root).releases()] == [SECOND]


def test_a_release_follows_the_latest_unless_told(releases: Releases, tmp_path: Path) -> None:
    root = tmp_path / "releases"
    shutil.copytree(releases.root, root)
    done = publish("2.0", root, data_dir=releases.data, previous=FIRST)
    assert done.release.previous == FIRST
    # The data is the second release's: against the first, only the review (its body and
    # verdict), the rank of the statement it reviews and the versions changed.
    assert sum(len(c.added) for c in done.changes.values()) == 2 + 1 + 3


@pytest.mark.parametrize(
    "version",
    ["", "latest", "LATEST", "..", ".", "1.0/2", "1.0\\2", "-1", "1.0.", "a b", "é", "x" * 65],
)
def test_versions_that_cannot_name_a_folder_and_a_url_are_refused(version: str) -> None:
    with pytest.raises(ReleaseError):
        check_version(version)


@pytest.mark.parametrize("version", ["1", "1.0.0", "2026-03-01", "v2_rc1", "x" * 64])
def test_versions_that_can_name_a_folder_and_a_url(version: str) -> None:
    assert check_version(version) == version


def run(*args: str) -> tuple[int, str]:
    """Run the kg command and return its exit code and all it printed."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_a_second_release_with_the_same_version_is_refused(releases: Releases) -> None:
    before = {p: p.stat().st_mtime_ns for p in (releases.root / FIRST).iterdir()}
    code, output = run("release", FIRST, "--releases", str(releases.root))
    assert code == 1
    assert "already exists: a release never changes once written" in output
    assert {p: p.stat().st_mtime_ns for p in (releases.root / FIRST).iterdir()} == before


def test_a_bad_version_is_refused_before_anything_is_built(tmp_path: Path) -> None:
    code, output = run("release", "../escape", "--releases", str(tmp_path / "releases"))
    assert code == 1
    assert "is not a valid version" in output
    assert not (tmp_path / "releases").exists() and not (tmp_path / "escape").exists()


def test_data_that_fails_the_checks_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    reviews = data / "reviews.trig"
    text = reviews.read_text(encoding="utf-8")
    reviews.write_text(
        text.replace(f'schema:reviewBody "{BODY}"@en ;', ""),
        encoding="utf-8",
    )
    root = tmp_path / "releases"
    code, output = run("release", "1", "--releases", str(root), "--data-dir", str(data))
    assert code == 1
    assert "fails 1 check(s); nothing was written" in output
    assert "border-1500-km" in output and "schema:reviewBody" in output
    assert not root.exists() or list(root.iterdir()) == []


def test_a_failure_while_writing_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(document: bytes) -> bytes:
        raise OSError("No space left on device")

    monkeypatch.setattr("kg.release.publish.stable_jsonld", fail)
    root = tmp_path / "releases"
    code, output = run("release", "1", "--releases", str(root))
    assert code == 1
    assert "cannot write the release" in output and "No space left on device" in output
    assert list(root.iterdir()) == []


def test_a_releases_folder_that_cannot_be_made_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    code, output = run("release", "1", "--releases", str(blocker / "releases"))
    assert code == 1
    assert f"cannot write the release into {blocker / 'releases'}" in output
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def test_the_command_reports_what_it_wrote(releases: Releases, tmp_path: Path) -> None:
    root = tmp_path / "releases"
    shutil.copytree(releases.root, root)
    code, output = run("release", "3", "--releases", str(root), "--data-dir", str(releases.data))
    assert code == 0, output
    assert output.startswith(f"released 3 into {root / '3'} in ")
    assert "changes since 1.1.0: 3 statement(s) removed, 3 added, in 1 graph(s)" in output
    assert re.search(r"dataset\.trig\s+[\d,]+ bytes", output)


@pytest.mark.parametrize("module", [names, canonical_module, patch_module])
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0
