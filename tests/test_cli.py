"""The ``kg`` command line: query, export and serve (options, environment, help, exit codes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import RdfFormat, parse
from support.paths import SAMPLE

from kg.cli import main
from kg.settings import setting_fields

SOURCE = ("--no-article", "--data", str(SAMPLE))
NAMES = "SELECT ?name WHERE { ?p <http://xmlns.com/foaf/0.1/name> ?name } ORDER BY ?name"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.mark.parametrize(
    ("fmt", "output"),
    [
        (None, '?name\n"Alice"@en\n"Bob"\n'),
        ("tsv", '?name\n"Alice"@en\n"Bob"\n'),
        ("csv", "name\r\nAlice\r\nBob\r\n"),
        (
            "json",
            '{"head":{"vars":["name"]},"results":{"bindings":[{"name":{"type":"literal",'
            '"value":"Alice","xml:lang":"en"}},{"name":{"type":"literal","value":"Bob"}}]}}',
        ),
    ],
)
def test_query_expression(runner: CliRunner, fmt: str | None, output: str) -> None:
    options = ["--format", fmt] if fmt else []
    result = runner.invoke(main, ["query", "-e", NAMES, *options, *SOURCE])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.decode() == output


def test_query_file_and_stdin(runner: CliRunner, tmp_path: Path) -> None:
    file = tmp_path / "names.rq"
    file.write_text(NAMES, encoding="utf-8")
    from_file = runner.invoke(main, ["query", str(file), "-f", "csv", *SOURCE])
    from_stdin = runner.invoke(main, ["query", "-", "-f", "csv", *SOURCE], input=NAMES)
    assert from_file.stdout_bytes == from_stdin.stdout_bytes == b"name\r\nAlice\r\nBob\r\n"


def test_construct_defaults_to_turtle(runner: CliRunner) -> None:
    query = (
        "CONSTRUCT { ?p <http://x/n> 'Bob' } WHERE { ?p <http://xmlns.com/foaf/0.1/name> 'Bob' }"
    )
    result = runner.invoke(main, ["query", "-e", query, *SOURCE])
    assert result.stdout == '<http://example.org/bob> <http://x/n> "Bob" .\n'


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["query"], 2, "give either a query FILE or -e TEXT"),
        (["query", "-e", "ASK {}", "-", *SOURCE], 2, "give either a query FILE or -e TEXT"),
        (["query", "-e", "ASK {", *SOURCE], 1, "Error: SPARQL syntax error: error at 1:6:"),
        (
            ["query", "-e", "ASK {}", "-f", "turtle", *SOURCE],
            1,
            "--format turtle does not fit a ASK query; use one of json, xml",
        ),
        (
            ["query", "-e", "ASK {}", "-f", "csv", *SOURCE],
            1,
            "--format csv does not fit a ASK query; use one of json, xml",
        ),
        (["query", "-e", "ASK {}", "-f", "yaml"], 2, "Invalid value for '-f' / '--format'"),
        (["query", "-e", "CLEAR ALL", *SOURCE], 1, "this is a SPARQL Update"),
        (
            ["query", "-e", "ASK {}", "--data", "/nonexistent.ttl", "--no-article"],
            1,
            "cannot build the store",
        ),
        (
            ["export", "-f", "turtle", "-g", "http://example.org/none", *SOURCE],
            1,
            "no graph named <http://example.org/none>; the graphs are: <http://example.org/people>",
        ),
        (["export", *SOURCE], 2, "Missing option '-f' / '--format'"),
    ],
)
def test_errors_and_exit_codes(runner: CliRunner, args: list[str], code: int, message: str) -> None:
    result = runner.invoke(main, args)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("fmt", "rdf_format", "count", "graphs"),
    [
        ("trig", RdfFormat.TRIG, 8, 4),
        ("nquads", RdfFormat.N_QUADS, 8, 4),
        ("turtle", RdfFormat.TURTLE, 8, 0),
        ("ntriples", RdfFormat.N_TRIPLES, 8, 0),
        ("rdfxml", RdfFormat.RDF_XML, 8, 0),
        ("jsonld", RdfFormat.JSON_LD, 8, 4),
    ],
)
def test_export_dataset_to_file(
    runner: CliRunner, tmp_path: Path, fmt: str, rdf_format: RdfFormat, count: int, graphs: int
) -> None:
    target = tmp_path / "out"
    result = runner.invoke(main, ["export", "-f", fmt, "-o", str(target), *SOURCE])
    assert result.exit_code == 0, result.output
    quads = list(parse(target.read_bytes(), format=rdf_format))
    assert len(quads) == count
    assert len({q.graph_name for q in quads if str(q.graph_name) != "DEFAULT"}) == graphs


def test_export_one_graph_to_stdout(runner: CliRunner) -> None:
    result = runner.invoke(
        main,
        [
            "export",
            "-f",
            "ntriples",
            "-g",
            "http://kasei.us/2009/09/sparql/data/data2.rdf",
            *SOURCE,
        ],
    )
    assert result.stdout == (
        "<http://kasei.us/2009/09/sparql/data/data2.rdf> "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <http://xmlns.com/foaf/0.1/Document> .\n"
    )


def test_serve_has_an_option_for_every_setting_with_its_variable(runner: CliRunner) -> None:
    help_text = runner.invoke(main, ["serve", "--help"], terminal_width=200).output
    for field in setting_fields():
        option = "--" + field.name.replace("_", "-")
        assert option in help_text, option
        assert f"env var: {field.metadata['env']}" in help_text, field.name
    assert "[env var: KG_HOST; default: 127.0.0.1]" in help_text


def test_serve_reads_environment_variables(runner: CliRunner) -> None:
    result = runner.invoke(main, ["serve"], env={"KG_WORKERS": "2"})
    assert result.exit_code == 2
    assert "more than one worker needs --store" in result.output


def test_data_files_with_relative_iris_load_against_their_own_iri_or_a_base(
    runner: CliRunner, tmp_path: Path
) -> None:
    data = tmp_path / "relative.ttl"
    data.write_text("<thing> <name> 'x' .\n", encoding="utf-8")
    query = ["query", "-e", "SELECT ?s ?p WHERE { ?s ?p 'x' }", "-f", "csv", "--no-article"]
    own = runner.invoke(main, [*query, "--data", str(data)])
    assert own.exit_code == 0, own.output
    folder = tmp_path.as_uri()
    assert own.stdout_bytes.decode() == f"s,p\r\n{folder}/thing,{folder}/name\r\n"
    based = runner.invoke(main, [*query, "--data", str(data), "--base", "http://example.org/d/"])
    assert (
        based.stdout_bytes.decode()
        == "s,p\r\nhttp://example.org/d/thing,http://example.org/d/name\r\n"
    )
