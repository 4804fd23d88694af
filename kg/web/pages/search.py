"""Search the graph's English and Spanish labels, without regard to accents or case.

"jeri" finds José Jerí, "peru" finds Perú, "carondelet" the palace. The server answers: the
labels of every minted IRI are read through the query path (a few hundred rows), folded
(accents stripped, case folded) and ranked in Python, because SPARQL has no accent folding.

==================  ==========================================================================
/search?q=TEXT      the results page (the header's search box submits here)
/search.json?q=     the same results as JSON, for the search box's suggestions
/labels.json?iri=   the labels of up to 100 IRIs, for the query page's results table
==================  ==========================================================================

The 404 page's suggestions come from the same index, ranked by how similar a label or the
IRI's last segment is to the IRI that was asked for.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass

from flask import Blueprint, Response, jsonify, render_template, request
from pyoxigraph import NamedNode

from kg import iris
from kg.errors import BadRequest
from kg.web import services
from kg.web.pages.browse import is_infrastructure
from kg.web.pages.labels import LABEL_PREDICATES, Labels
from kg.web.pages.links import current_language, href
from kg.web.pages.oneline import preferred_type
from kg.web.pages.reader import Reader, values

blueprint = Blueprint("search", __name__)

MAX_QUERY = 200
SUGGESTIONS = 8
RESULTS = 50
SIMILAR = 10
MAX_LABELS = 100
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Return text without accents or case, its words separated by single spaces.

    >>> fold("José  Jerí"), fold("Ecuador–Peru border"), fold("jose-jeri")
    ('jose jeri', 'ecuador peru border', 'jose jeri')
    """
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _NOT_WORD.sub(" ", bare).strip()


@dataclass(frozen=True)
class Entry:
    """One label of one IRI, folded for matching."""

    iri: str
    folded: str
    story: bool
    """The IRI names one of the story's own things (a person, a place, a term of office), not a
    claim, a sentence, a review or an example query."""


@dataclass(frozen=True)
class Hit:
    """A search result: the IRI, how well it matched, and what to show."""

    iri: str
    score: float
    label: str
    lang: str | None
    kind: str | None


def index(reader: Reader) -> list[Entry]:
    """Read every label of every minted IRI (English, Spanish or untagged), and its local name."""
    rows = reader.select(
        f"SELECT DISTINCT ?x ?l WHERE {{ VALUES ?p {{ {values(LABEL_PREDICATES)} }} "
        f'?x ?p ?l FILTER(isIRI(?x) && STRSTARTS(STR(?x), "{iris.BASE}") && isLiteral(?l)) '
        'FILTER(LANG(?l) IN ("en", "es", "")) } ORDER BY ?x ?l'
    )
    typed = reader.select(
        f'SELECT DISTINCT ?x ?type WHERE {{ ?x a ?type FILTER(STRSTARTS(STR(?x), "{iris.BASE}")) }}'
    )
    story = {r["x"].value: False for r in rows}
    for row in typed:
        if row["x"].value in story and not is_infrastructure(row["type"].value):
            story[row["x"].value] = True
    found = [Entry(r["x"].value, fold(r["l"].value), story[r["x"].value]) for r in rows]
    return found + [Entry(iri, fold(local_name(iri)), story[iri]) for iri in sorted(story)]


def local_name(iri: str) -> str:
    """Return the last path segment of an IRI."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


def score(entry: Entry, wanted: str) -> float:
    """Score how well a folded label answers a folded query (0: not at all).

    >>> person, tenure = Entry("x", "jose jeri", True), Entry("y", "jose jeri president", False)
    >>> score(person, "jeri") > score(tenure, "jeri") > score(tenure, "peru") == 0
    True
    """
    label = entry.folded
    words = label.split()
    asked = wanted.split()
    if not asked:
        return 0.0
    if label == wanted:
        found = 100.0
    elif label.startswith(wanted):
        found = 80.0
    elif all(any(w.startswith(a) for w in words) for a in asked):
        found = 60.0
    elif wanted in label:
        found = 40.0
    else:
        return 0.0
    # The story's own things before claims, sentences and sources; then shorter labels first.
    return found + (30.0 if entry.story else 0.0) - min(len(label), 60) / 10


def ranked(entries: list[Entry], scores: dict[str, float], limit: int) -> list[str]:
    """Return the best-scoring IRIs, best first, ties broken by IRI so the order is stable."""
    return [iri for iri, _ in sorted(scores.items(), key=lambda p: (-p[1], p[0]))[:limit]]


def kinds(reader: Reader, found: list[str], labels: Labels) -> dict[str, str]:
    """Return the type to show under each result: its first type by label."""
    if not found:
        return {}
    rows = reader.select(
        f"SELECT DISTINCT ?x ?type WHERE {{ VALUES ?x {{ {values(found)} }} ?x a ?type "
        "FILTER(isIRI(?type)) }"
    )
    types: dict[str, list[str]] = {}
    for row in rows:
        types.setdefault(row["x"].value, []).append(row["type"].value)
    labels.extend(t for ts in types.values() for t in ts)
    chosen = {x: preferred_type(ts, labels) for x, ts in types.items()}
    return {x: labels.show(kind) for x, kind in chosen.items() if kind}


def hits(reader: Reader, found: list[str], scores: dict[str, float], language: str) -> list[Hit]:
    """Describe ranked IRIs as results: label in the reader's language, type."""
    labels = Labels.fetch(reader, found, language)
    kind = kinds(reader, found, labels)
    return [
        Hit(iri, scores[iri], labels.show(iri), labels.other_lang(iri), kind.get(iri))
        for iri in found
    ]


def search(reader: Reader, text: str, language: str, limit: int = RESULTS) -> list[Hit]:
    """Return the IRIs whose English or Spanish labels match a text, best first."""
    wanted = fold(text)
    if not wanted:
        return []
    entries = index(reader)
    scores: dict[str, float] = {}
    for entry in entries:
        found = score(entry, wanted)
        if found > scores.get(entry.iri, 0.0):
            scores[entry.iri] = found
    return hits(reader, ranked(entries, scores, limit), scores, language)


def similar(reader: Reader, iri: str, language: str) -> list[Hit]:
    """Return minted IRIs whose label or last segment resembles an IRI nobody minted."""
    wanted = fold(local_name(iri))
    if not wanted:
        return []
    words = wanted.split()
    entries = index(reader)
    scores: dict[str, float] = {}
    for entry in entries:
        ratio = difflib.SequenceMatcher(None, wanted, entry.folded).ratio()
        if any(w.startswith(a) for w in entry.folded.split() for a in words if len(a) >= 3):
            ratio += 0.5
        if ratio >= 0.6 and ratio > scores.get(entry.iri, 0.0):
            scores[entry.iri] = round(ratio, 4)
    return hits(reader, ranked(entries, scores, SIMILAR), scores, language)


def query_text() -> str:
    """Return the ?q= of the request, refusing an overlong one."""
    text = request.args.get("q", "")
    if len(text) > MAX_QUERY:
        raise BadRequest(f"search text is longer than {MAX_QUERY} characters")
    return text


@blueprint.get("/search")
def page() -> Response:
    """Show the results of a search (?q=TEXT)."""
    text = query_text()
    found = search(Reader(services()), text, current_language()) if text.strip() else []
    body = render_template("search.html", search_query=text, results=found)
    response = Response(body, mimetype="text/html")
    response.headers["Link"] = '</search.json>; rel="alternate"; type="application/json"'
    return response


@blueprint.get("/search.json")
def suggestions() -> Response:
    """Return the best few results of a search as JSON, for the search box."""
    text = query_text()
    found = search(Reader(services()), text, current_language(), SUGGESTIONS)
    results = [
        {"iri": h.iri, "label": h.label, "lang": h.lang, "kind": h.kind, "href": href(h.iri)}
        for h in found
    ]
    return jsonify(query=text, results=results)


@blueprint.get("/labels.json")
def labels_of() -> Response:
    """Return the labels of IRIs (?iri=, repeated), for the query page's results table."""
    wanted = request.args.getlist("iri")
    if len(wanted) > MAX_LABELS:
        raise BadRequest(f"ask for at most {MAX_LABELS} IRIs at once")
    for iri in wanted:
        try:
            NamedNode(iri)
        except ValueError:
            raise BadRequest(f"<{iri}> is not a valid IRI") from None
    labels = Labels.fetch(Reader(services()), wanted, current_language())
    found = {
        iri: {"label": label, "lang": labels.lang(iri)}
        for iri in wanted
        if (label := labels.get(iri)) is not None
    }
    return jsonify(labels=found)
