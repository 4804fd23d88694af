"""Rebuild the pinned extract from the Wikidata endpoint for every item the graph links to.

For each linked item the endpoint is asked, in Wikidata's RDF shape, for its English and Spanish
labels and its statements on the properties the project joins on (with their qualifiers and
quantity values). Statements pointing at items the graph does not link are left out, so the
extract stays about the story's entities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeGuard

from pyoxigraph import Literal, NamedNode, RdfFormat, Store, Triple, parse, serialize

from kg import vocab
from kg.iris import WIKIDATA_ENTITY, WIKIDATA_GRAPH
from kg.wikidata.client import WikidataClient

PROPERTIES = ("P17", "P27", "P35", "P36", "P39", "P47", "P530", "P569", "P1304", "P6")
"""Properties kept for each item (facts.md: the ones that fit the story)."""
QUALIFIERS = ("P580", "P582", "P1365", "P1366", "P2043", "P585")

PREFIXES = {
    "wd": vocab.WD,
    "wdt": vocab.WDT,
    "p": vocab.P,
    "ps": vocab.PS,
    "pq": vocab.PQ,
    "pqv": vocab.PQV,
    "wikibase": vocab.WIKIBASE,
    "rdfs": vocab.RDFS,
    "xsd": vocab.XSD,
    "prov": vocab.PROV,
    "dct": vocab.DCTERMS,
    "void": vocab.VOID,
    "owl": vocab.OWL,
}
"""The prefixes of the extract file, which keeps Wikidata's own names (``dct``, ``wikibase``)."""
_P = PREFIXES
LABEL = NamedNode(_P["rdfs"] + "label")


def linked_items(store: Store) -> list[str]:
    """Return the Wikidata items the graph links to with owl:sameAs, sorted."""
    query = f"""SELECT DISTINCT ?item {{ ?entity <{_P["owl"]}sameAs> ?item
        FILTER(STRSTARTS(STR(?item), "{WIKIDATA_ENTITY}")) }}"""
    rows = store.query(query, use_default_graph_as_union=True)
    return sorted(row["item"].value for row in rows)  # type: ignore[union-attr]


def item_query(item: str) -> str:
    """Return the CONSTRUCT query that reads one item in Wikidata's RDF shape."""
    prologue = "\n".join(f"PREFIX {name}: <{iri}>" for name, iri in PREFIXES.items())
    rows = " ".join(f"(p:{p} ps:{p} wdt:{p})" for p in PROPERTIES)
    qualifiers = " ".join(f"pq:{q}" for q in QUALIFIERS)
    return f"""{prologue}
CONSTRUCT {{
  <{item}> rdfs:label ?label .
  <{item}> ?truthy ?truthyValue .
  <{item}> ?claim ?statement .
  ?statement a wikibase:Statement, ?best ; wikibase:rank ?rank ; ?ps ?value ; ?pq ?qualifier .
  ?statement pqv:P2043 ?quantity .
  ?quantity a wikibase:QuantityValue ; wikibase:quantityAmount ?amount ;
    wikibase:quantityUnit ?unit .
}} WHERE {{
  {{ <{item}> rdfs:label ?label . FILTER(LANG(?label) IN ("en", "es")) }}
  UNION
  {{
    VALUES (?claim ?ps ?truthy) {{ {rows} }}
    <{item}> ?claim ?statement .
    ?statement ?ps ?value ; wikibase:rank ?rank .
    OPTIONAL {{ <{item}> ?truthy ?value . BIND(?value AS ?truthyValue) }}
    OPTIONAL {{ ?statement a wikibase:BestRank . BIND(wikibase:BestRank AS ?best) }}
    OPTIONAL {{ VALUES ?pq {{ {qualifiers} }} ?statement ?pq ?qualifier }}
    OPTIONAL {{
      ?statement pqv:P2043 ?quantity .
      ?quantity wikibase:quantityAmount ?amount ; wikibase:quantityUnit ?unit .
    }}
  }}
}}"""


def keep_within(triples: Iterable[Triple], items: set[str]) -> set[Triple]:
    """Drop statements, truthy links and qualifiers pointing at items outside the set."""
    found = set(triples)
    statement_props = (_P["ps"], _P["wdt"], _P["pq"])
    outside = {
        t.subject
        for t in found
        if t.predicate.value.startswith(_P["ps"]) and _is_foreign(t.object, items)
    }
    kept = set()
    for t in found:
        if t.subject in outside or (isinstance(t.object, NamedNode) and t.object in outside):
            continue
        if t.predicate.value.startswith(statement_props) and _is_foreign(t.object, items):
            continue
        kept.add(t)
    return kept


def _is_item(term: object) -> TypeGuard[NamedNode]:
    """Tell whether a term is a Wikidata item."""
    return isinstance(term, NamedNode) and term.value.startswith(WIKIDATA_ENTITY)


def _is_foreign(term: object, items: set[str]) -> bool:
    """Tell whether a term is a Wikidata item outside the set."""
    return _is_item(term) and term.value not in items


def _is_claim(predicate: NamedNode) -> bool:
    """Tell whether a predicate links an item to a full statement (``p:P47``)."""
    rest = predicate.value.removeprefix(_P["p"])
    return rest != predicate.value and "/" not in rest


def describe_extract(endpoint: str, when: datetime) -> set[Triple]:
    """Return the provenance of a refreshed extract: its source endpoint and when it was read."""
    graph = NamedNode(WIKIDATA_GRAPH)
    rdf_type = NamedNode(vocab.RDF_TYPE)
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        Triple(graph, rdf_type, NamedNode(_P["void"] + "Dataset")),
        Triple(graph, rdf_type, NamedNode(_P["prov"] + "Entity")),
        Triple(
            graph, NamedNode(_P["dct"] + "title"), Literal("Pinned Wikidata extract", language="en")
        ),
        Triple(graph, NamedNode(_P["dct"] + "source"), NamedNode("https://www.wikidata.org/")),
        Triple(graph, NamedNode(_P["void"] + "sparqlEndpoint"), NamedNode(endpoint)),
        Triple(
            graph,
            NamedNode(_P["prov"] + "generatedAtTime"),
            Literal(stamp, datatype=NamedNode(_P["xsd"] + "dateTime")),
        ),
    }


def read_extract(path: Path) -> set[Triple]:
    """Read an extract file as a set of triples (empty when there is none yet)."""
    if not path.exists():
        return set()
    return {q.triple for q in parse(path=str(path), format=RdfFormat.TURTLE)}


def write_extract(path: Path, triples: Iterable[Triple]) -> None:
    """Write the extract as Turtle in a stable order, so that a refresh diffs cleanly."""
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    header = (
        "# The pinned Wikidata extract, written by `kg wikidata refresh` from the endpoint and at\n"
        "# the time its provenance below records (void:sparqlEndpoint, prov:generatedAtTime).\n"
    )
    body = serialize(ordered, format=RdfFormat.TURTLE, prefixes=PREFIXES) or b""
    path.write_bytes(header.encode() + body)


@dataclass
class Change:
    """What a refresh did to one item."""

    item: str
    added: list[Triple] = field(default_factory=list)
    removed: list[Triple] = field(default_factory=list)


def compare(old: set[Triple], new: set[Triple], items: Iterable[str]) -> list[Change]:
    """Attribute every added and removed triple to the item it is about."""
    owner = {t.object: str(t.subject) for t in old | new if _is_claim(t.predicate)}
    changes = {str(NamedNode(item)): Change(item) for item in items}
    for triples, attribute in ((new - old, "added"), (old - new, "removed")):
        for t in sorted(triples, key=str):
            item = str(t.subject) if str(t.subject) in changes else owner.get(t.subject)
            if item in changes:
                getattr(changes[item], attribute).append(t)
    return [c for c in changes.values() if c.added or c.removed]


def refresh(
    client: WikidataClient,
    items: list[str],
    path: Path,
    progress: Callable[[Iterable[str]], Iterable[str]] = lambda items: items,
) -> list[Change]:
    """Rebuild the extract at path from the endpoint; return what changed for each item."""
    fetched: set[Triple] = set()
    for item in progress(items):
        body = client.construct(item_query(item))
        fetched |= {q.triple for q in parse(body, format=RdfFormat.N_TRIPLES)}
    new = keep_within(fetched, set(items))
    old = read_extract(path)
    labelled = {t.subject.value for t in old if t.predicate == LABEL and _is_item(t.subject)}
    dropped = labelled - set(items)
    changes = compare(old, new, [*items, *sorted(dropped)])
    write_extract(path, new | describe_extract(client.endpoint, datetime.now(UTC)))
    return changes
