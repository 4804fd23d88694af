"""Find the files the graph is built from, and the named graph each one goes into.

The layout is the contract, so adding an article means adding a folder, never editing code:

- ``ontology/*.ttl`` (except ``shapes.ttl``) go into the ontology graph;
- ``data/*.trig`` (and any other RDF file there) hold the shared layers: entities, verified facts,
  reviews; a triples-only file goes into ``<BASE>graph/<file stem>``;
- ``data/articles/<article-id>/`` holds one article: ``article.txt`` and RDF files naming their own
  graphs (the article graph, one graph per claim, the entities it adds); a triples-only file there
  goes into ``<BASE>graph/article/<article-id>``. A folder holding a ``DRAFT.md`` (``kg draft``
  writes one) is a draft: builds leave it out until a person has reviewed it and deleted the file;
- ``data/wikidata/extract.{ttl,trig,nt,nq}``, when present, goes into the Wikidata graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import RdfFormat

from kg import iris
from kg.errors import KgError
from kg.formats import RDF_FORMATS, rdf_format
from kg.resources import DATA_DIR, ontology_dir

SHAPES_FILE = "shapes.ttl"
ARTICLE_TEXT = "article.txt"
DRAFT_MARKER = "DRAFT.md"
WIKIDATA_EXTRACT = ("extract.ttl", "extract.trig", "extract.nt", "extract.nq")
RDF_EXTENSIONS = {
    **{f.extension: rdf_format(f.media_type) for f in RDF_FORMATS},
    "owl": RdfFormat.RDF_XML,
}
"""The file extensions of the format table, and .owl for RDF/XML ontologies."""


class DataError(KgError):
    """A data file is missing, unreadable or not valid RDF; the message names the file and line."""

    title = "Bad data file"


@dataclass(frozen=True)
class Source:
    """One RDF file to load, its format, and the graph its triples go into (None: its own)."""

    path: Path
    format: RdfFormat
    graph: str | None = None
    base: str | None = None
    """The IRI its relative IRIs resolve against (None: the file may hold none)."""


def rdf_format_of(path: Path) -> RdfFormat:
    """Return the RDF format a file's extension names, or fail naming the file."""
    found = RDF_EXTENSIONS.get(path.suffix.lstrip(".").lower())
    if found is None:
        raise DataError(
            f"{path}: unknown RDF format for extension {path.suffix!r} (use .ttl, .trig, .nt, "
            ".nq, .jsonld, .rdf or .owl)"
        )
    return found


def is_rdf(path: Path) -> bool:
    """Tell whether a file in a data folder is RDF (article.txt and READMEs are not)."""
    return path.suffix.lstrip(".").lower() in RDF_EXTENSIONS


def source_for(path: Path, graph: str | None) -> Source:
    """Return the source for a file: quad formats keep their graphs, triples go into graph."""
    fmt = rdf_format_of(path)
    return Source(path, fmt, None if fmt.supports_datasets else graph)


def rdf_files(folder: Path) -> list[Path]:
    """Return the RDF files directly inside a folder, sorted by name."""
    return sorted(p for p in folder.iterdir() if p.is_file() and is_rdf(p))


def ontology_sources(folder: Path | None = None) -> list[Source]:
    """Return the ontology files (not the shapes) bound for the ontology graph."""
    folder = folder or ontology_dir()
    files = [p for p in rdf_files(folder) if p.name != SHAPES_FILE]
    return [source_for(p, iris.ONTOLOGY_GRAPH) for p in files]


def article_ids(data_dir: Path = DATA_DIR, *, include_drafts: bool = False) -> list[str]:
    """Return the ids of the articles in a data folder (one sub-folder each), drafts left out."""
    articles = data_dir / "articles"
    if not articles.is_dir():
        return []
    return sorted(
        p.name
        for p in articles.iterdir()
        if (p / ARTICLE_TEXT).is_file() and (include_drafts or not is_draft(p))
    )


def draft_ids(data_dir: Path = DATA_DIR) -> list[str]:
    """Return the ids of the articles still marked as drafts (their folder holds DRAFT.md)."""
    everything = article_ids(data_dir, include_drafts=True)
    return [i for i in everything if is_draft(data_dir / "articles" / i)]


def is_draft(folder: Path) -> bool:
    """Tell whether an article folder is a draft that builds leave out."""
    return (folder / DRAFT_MARKER).is_file()


def article_text(path: Path) -> str:
    """Return an article's text exactly as stored, or fail saying what is wrong with the file.

    Offsets count code points of this string: the bytes are decoded as UTF-8 without newline
    translation, so a CRLF file keeps its two characters per line break.
    """
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path}: cannot read the article text ({error.strerror})") from None
    if not data.strip():
        raise DataError(f"{path}: the article text is empty")
    if data.startswith(b"\xef\xbb\xbf"):
        raise DataError(
            f"{path}: the text starts with a byte-order mark; save it as UTF-8 without BOM"
        )
    if b"\x00" in data:
        raise DataError(f"{path}: this is a binary file (it holds NUL bytes), not an article text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise DataError(
            f"{path}: the text is not UTF-8 (the byte at offset {error.start} is "
            f"0x{data[error.start]:02x}); convert it, for example with `iconv -f latin1 -t utf-8`"
        ) from None


def article_graph(article_id: str) -> str:
    """Return the IRI of an article's own named graph."""
    return f"{iris.GRAPH_NS}article/{article_id}"


def data_sources(data_dir: Path = DATA_DIR, *, include_drafts: bool = False) -> list[Source]:
    """Return the shared layers and every article's files (drafts only if asked), in order."""
    if not data_dir.is_dir():
        raise DataError(f"{data_dir}: the data folder does not exist")
    found = [source_for(p, iris.GRAPH_NS + p.stem) for p in rdf_files(data_dir)]
    for article_id in article_ids(data_dir, include_drafts=include_drafts):
        folder = data_dir / "articles" / article_id
        found += [source_for(p, article_graph(article_id)) for p in rdf_files(folder)]
    if not found:
        raise DataError(f"{data_dir}: no RDF files and no articles/<id>/article.txt in this folder")
    return found


def wikidata_sources(data_dir: Path = DATA_DIR) -> list[Source]:
    """Return the pinned Wikidata extract, when another step has written one."""
    folder = data_dir / "wikidata"
    return [
        source_for(folder / name, iris.WIKIDATA_GRAPH)
        for name in WIKIDATA_EXTRACT
        if (folder / name).is_file()
    ]


def extra_sources(paths: Iterable[Path], base: str | None = None) -> list[Source]:
    """Return user-given RDF files; triples go into the default graph.

    Relative IRIs in them resolve against the base given, else against each file's own
    ``file:`` IRI, as every RDF tool reads a file from disk.
    """
    found = []
    for path in paths:
        if not Path(path).is_file():
            raise DataError(f"{path}: no such file")
        own = Path(path).resolve().as_uri()
        found.append(Source(Path(path), rdf_format_of(Path(path)), base=base or own))
    return found


def all_sources(
    data_dir: Path = DATA_DIR,
    *,
    include_article: bool = True,
    include_drafts: bool = False,
    extra: Sequence[Path] = (),
    ontology: Path | None = None,
    base: str | None = None,
) -> list[Source]:
    """Return every file a build loads: shipped layers (unless left out) and the extra files."""
    shipped: list[Source] = []
    if include_article:
        articles = data_sources(data_dir, include_drafts=include_drafts)
        shipped = ontology_sources(ontology) + articles + wikidata_sources(data_dir)
    return shipped + extra_sources(extra, base)
