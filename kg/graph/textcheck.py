"""Check what the shapes cannot: quotes against the text, declared IRIs, shared value nodes.

- every sentence's exact quote equals the article text at its offsets (and its prefix and
  suffix surround it there); a quote without offsets occurs once, or its context picks one;
- every IRI an article or its claims use is declared: a project IRI has a type somewhere, an
  entity has English and Spanish labels, an ontology term is in the ontology;
- no two articles' claims write to the same value node (a commitment, a grant): a node a claim
  describes, and that is not a shared entity, belongs to one article. A real-world thing that
  several articles speak of (a person, a border, a tenure) is a shared entity, declared in the
  entities graph, and every article writes its statements on that one node (so that their
  values compete); ``queries/checks/duplicate-entity-violation.rq`` refuses an article's own
  copy of one;
- a published article keeps no draft claim and no entity stub typed only ``schema:Thing``.

The draft markers are the ones ``kg draft`` writes and the model's checks leave to these checks:
a claim record with ``schema:creativeWorkStatus "Draft"`` (``DRAFT``; its empty graph is not a
``claim-provenance-violation``) and an entity typed only ``schema:Thing`` (a stub, which the
Wikidata look-up check leaves alone). In a draft article they are counted, not reported.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import QuerySolutions, Store

from kg import iris
from kg.graph.sources import DataError, article_text, draft_ids
from kg.vocab import OA, SCHEMA, sparql_prologue

ENTITIES_GRAPH = iris.GRAPH_NS + "entities"
ARTICLE_NS = iris.ID_NS + "article/"
DRAFT = "Draft"
"""The schema:creativeWorkStatus of a claim record still to be written."""
PREFIXES = sparql_prologue("oa", "schema", "rdfs") + "\n"

SELECTORS = (
    PREFIXES
    + """
SELECT ?g ?sentence ?article ?quote ?exact ?prefix ?suffix ?position ?start ?end WHERE {
  GRAPH ?g {
    ?sentence oa:hasSource ?article ; oa:hasSelector ?quote .
    ?quote oa:exact ?exact .
    OPTIONAL { ?quote oa:prefix ?prefix }
    OPTIONAL { ?quote oa:suffix ?suffix }
    OPTIONAL { ?sentence oa:hasSelector ?position . ?position oa:start ?start ; oa:end ?end }
  }
}
"""
)
ARTICLE_GRAPHS = f"""
(STRSTARTS(STR(?g), "{iris.GRAPH_NS}article/") || STRSTARTS(STR(?g), "{iris.ID_NS}claim/"))
"""
USED = f"""
SELECT DISTINCT ?g ?iri WHERE {{
  GRAPH ?g {{ {{ ?iri ?p ?o }} UNION {{ ?s ?iri ?o }} UNION {{ ?s ?p ?iri }} }}
  FILTER(isIRI(?iri) && {ARTICLE_GRAPHS})
}}
"""
TYPED = f"""
SELECT DISTINCT ?s WHERE {{
  GRAPH ?g {{ ?s a ?type }} FILTER(?g != <{iris.WIKIDATA_GRAPH}>)
}}
"""
ONTOLOGY_TERMS = f"SELECT DISTINCT ?s WHERE {{ GRAPH <{iris.ONTOLOGY_GRAPH}> {{ ?s a ?type }} }}"
ENTITY_LABELS = f"""
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?s ?language WHERE {{
  GRAPH <{ENTITIES_GRAPH}> {{ ?s a ?type OPTIONAL {{ ?s rdfs:label ?label }} }}
  BIND(LANG(?label) AS ?language)
}}
"""
WRITTEN = (
    PREFIXES
    + f"""
SELECT DISTINCT ?node ?g ?article WHERE {{
  ?g schema:appearance ?article .
  GRAPH ?g {{ ?node ?p ?o }}
  FILTER(isIRI(?node))
  FILTER NOT EXISTS {{ GRAPH <{ENTITIES_GRAPH}> {{ ?node a ?type }} }}
}}
"""
)
DRAFT_CLAIMS = (
    PREFIXES
    + f"""
SELECT ?claim ?article WHERE {{
  ?claim a schema:Claim ; schema:creativeWorkStatus "{DRAFT}" ; schema:appearance ?article .
}}
"""
)
STUBS = (
    PREFIXES
    + f"""
SELECT ?entity WHERE {{
  GRAPH <{ENTITIES_GRAPH}> {{ ?entity a schema:Thing }}
  FILTER NOT EXISTS {{
    GRAPH <{ENTITIES_GRAPH}> {{ ?entity a ?other FILTER(?other != schema:Thing) }}
  }}
}}
"""
)


@dataclass(frozen=True)
class Finding:
    """A problem a text check found: on what resource, in which graph, and why."""

    check: str
    node: str
    graph: str | None
    message: str
    predicate: str | None = None


def rows(store: Store, query: str) -> Iterator[dict[str, str]]:
    """Yield a SELECT's rows as plain strings (unbound variables left out)."""
    solutions = store.query(query, use_default_graph_as_union=True)
    if not isinstance(solutions, QuerySolutions):
        raise TypeError("a text check must be a SELECT query")
    names = [v.value for v in solutions.variables]
    for row in solutions:
        yield {n: row[n].value for n in names if row[n] is not None}


def article_id(article: str) -> str | None:
    """Return the id of a minted article IRI (``.../id/article/<id>``), or None."""
    rest = article.removeprefix(ARTICLE_NS)
    return rest if rest != article and "/" not in rest else None


class Texts:
    """The article texts of a data folder, each read once; a bad text is reported once."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.found: dict[str, str | None] = {}
        self.errors: list[Finding] = []

    def get(self, article: str, graph: str) -> str | None:
        """Return an article's text, or None (with a finding) when it cannot be read."""
        if article in self.found:
            return self.found[article]
        ident = article_id(article)
        text = None
        if ident is None:
            self.errors.append(
                Finding("text", article, graph, "not an article IRI of this project")
            )
        else:
            try:
                text = article_text(self.data_dir / "articles" / ident / "article.txt")
            except DataError as error:
                self.errors.append(Finding("text", article, graph, error.message))
        self.found[article] = text
        return text


def shown(text: str, limit: int = 40) -> str:
    """Return a stretch of text quoted for a message, line breaks made visible."""
    cut = text if len(text) <= limit else text[: limit - 1] + "…"
    return '"' + cut.replace("\r", "\\r").replace("\n", "\\n") + '"'


def occurrences(text: str, quote: str) -> list[int]:
    """Return every offset where a quote occurs in the text."""
    found, at = [], text.find(quote)
    while at != -1 and quote:
        found.append(at)
        at = text.find(quote, at + 1)
    return found


def offsets_problem(text: str, exact: str, start: int, end: int) -> str | None:
    """Explain how a quote disagrees with the text at its offsets (None: it agrees)."""
    if not 0 <= start <= end <= len(text):
        return f"offsets {start}–{end} lie outside the text ({len(text)} code points)"
    there = text[start:end]
    if there == exact:
        return None
    elsewhere = occurrences(text, exact)
    if elsewhere:
        at = min(elsewhere, key=lambda o: abs(o - start))
        return (
            f"the quote is at {at}–{at + len(exact)} in the text, not at {start}–{end} "
            f"(offsets off by {start - at:+d})"
        )
    if len(there) == len(exact):
        i = next(i for i, (a, b) in enumerate(zip(exact, there, strict=True)) if a != b)
        return (
            f"the quote differs from the text at code point {start + i}: it has "
            f"{shown(exact[max(0, i - 10) : i + 10])} where the text has "
            f"{shown(there[max(0, i - 10) : i + 10])}"
        )
    return (
        f"the text at {start}–{end} reads {shown(there)} ({len(there)} code points), the "
        f"quote {shown(exact)} ({len(exact)})"
    )


def context_problem(text: str, row: dict[str, str], start: int, end: int) -> str | None:
    """Explain how a quote's prefix or suffix disagrees with the text around it."""
    prefix, suffix = row.get("prefix"), row.get("suffix")
    if prefix is not None and text[max(0, start - len(prefix)) : start] != prefix:
        return f"the prefix {shown(prefix)} is not the text before {start}"
    if suffix is not None and text[end : end + len(suffix)] != suffix:
        return f"the suffix {shown(suffix)} is not the text after {end}"
    return None


def selector_findings(store: Store, texts: Texts) -> list[Finding]:
    """Check every sentence's quote against its article's text."""
    found = []
    for row in rows(store, SELECTORS):
        text = texts.get(row["article"], row["g"])
        if text is None:
            continue
        exact, graph = row["exact"], row["g"]
        if "start" in row:
            start, end = int(row["start"]), int(row["end"])
            problem = offsets_problem(text, exact, start, end) or context_problem(
                text, row, start, end
            )
            if problem and (text[start:end] == exact or exact in text):
                found.append(Finding("offsets", row["position"], graph, problem, OA + "start"))
            elif problem:
                found.append(Finding("quote", row["quote"], graph, problem, OA + "exact"))
            continue
        places = [
            at
            for at in occurrences(text, exact)
            if context_problem(text, row, at, at + len(exact)) is None
        ]
        if len(places) != 1:
            problem = (
                "the quote is not in the text"
                if not places
                else f"the quote occurs {len(places)} times; give it oa:prefix and oa:suffix"
            )
            found.append(Finding("quote", row["quote"], graph, problem, OA + "exact"))
    return found + texts.errors


def declared_findings(store: Store) -> list[Finding]:
    """Check that every IRI an article or claim uses is declared."""
    typed = {r["s"] for r in rows(store, TYPED)}
    terms = {r["s"] for r in rows(store, ONTOLOGY_TERMS)}
    labels: dict[str, set[str]] = {}
    for row in rows(store, ENTITY_LABELS):
        labels.setdefault(row["s"], set()).add(row.get("language", ""))
    found = []
    for row in rows(store, USED):
        iri, graph = row["iri"], row["g"]
        if iri.startswith(iris.ID_NS) and iri not in typed:
            found.append(Finding("declared", iri, graph, undeclared(iri, typed)))
        elif iri.startswith(iris.ID_NS) and iri in labels:
            missing = [
                n for n, tag in (("English", "en"), ("Spanish", "es")) if tag not in labels[iri]
            ]
            if missing:
                message = f"the entity has no {' and no '.join(missing)} label (rdfs:label)"
                found.append(Finding("declared", iri, graph, message))
        elif iri.startswith(iris.ONTOLOGY_NS) and iri not in terms:
            found.append(Finding("declared", iri, graph, undeclared(iri, terms, "the ontology")))
    return found


def undeclared(iri: str, known: set[str], where: str = "the graph") -> str:
    """Say that nothing declares an IRI, and suggest the closest one that is declared."""
    close = difflib.get_close_matches(iri, sorted(known), n=1, cutoff=0.85)
    hint = f"; did you mean <{close[0]}>?" if close else ""
    return f"nothing in {where} declares it (no rdf:type){hint}"


def shared_value_findings(store: Store) -> list[Finding]:
    """Check that no value node is written by the claims of two articles."""
    writers: dict[str, dict[str, list[str]]] = {}
    for row in rows(store, WRITTEN):
        writers.setdefault(row["node"], {}).setdefault(row["article"], []).append(row["g"])
    found = []
    for node, by_article in sorted(writers.items()):
        if len(by_article) < 2:
            continue
        others = sorted(by_article)
        for article, graphs in sorted(by_article.items()):
            rest = ", ".join(f"<{a}>" for a in others if a != article)
            message = (
                f"claims of {len(by_article)} articles write to this node (also {rest}): a node "
                "is one article's own or a shared entity. If it is a real-world thing both speak "
                "of, declare it in kg/data/entities.trig (type, English and Spanish labels, "
                "pek:wikidataLookup); else mint this article's own under its this: prefix"
            )
            found += [Finding("shared-value", node, g, message) for g in sorted(graphs)]
    return found


def draft_claims(store: Store, data_dir: Path) -> tuple[set[str], list[Finding]]:
    """Return the draft claims of draft articles, and a finding for each one elsewhere."""
    drafts = set(draft_ids(data_dir))
    waiting, found = set(), []
    for row in rows(store, DRAFT_CLAIMS):
        if article_id(row["article"]) in drafts:
            waiting.add(row["claim"])
        else:
            message = (
                'the claim is still marked creativeWorkStatus "Draft": write its statements '
                "and delete that line (or mark the article a draft again)"
            )
            found.append(
                Finding("draft", row["claim"], None, message, SCHEMA + "creativeWorkStatus")
            )
    return waiting, found


def stubs(store: Store) -> set[str]:
    """Return the entities typed only schema:Thing (the stubs ``kg draft`` proposes)."""
    return {r["entity"] for r in rows(store, STUBS)}


def text_findings(store: Store, data_dir: Path) -> tuple[list[Finding], set[str]]:
    """Run every text check; return the findings and the draft claims that are not problems."""
    waiting, drafted = draft_claims(store, data_dir)
    found = selector_findings(store, Texts(data_dir))
    found += declared_findings(store) + shared_value_findings(store) + drafted
    return found, waiting
