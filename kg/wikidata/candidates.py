"""Propose Wikidata items for the graph's unlinked entities, by exact label, for a person to check.

Which entities deserve a link is read from the data: those whose type is the type of an entity
already linked (countries, cities, people, offices, ...). Nothing is ever written: a proposal
becomes a link only when someone adds the owl:sameAs by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from pyoxigraph import Store

from kg.iris import ID_NS, WIKIDATA_ENTITY
from kg.vocab import OWL_SAME_AS, RDFS, RDFS_LABEL, SCHEMA_HTTP
from kg.wikidata.client import WikidataClient
from kg.wikidata.values import literal_text


@dataclass(frozen=True)
class Unlinked:
    """An entity of the graph without a Wikidata link, and its labels by language."""

    entity: str
    labels: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Candidate:
    """A Wikidata item whose label equals one of an entity's labels."""

    entity: str
    item: str
    label: str
    description: str | None


def unlinked_entities(store: Store) -> list[Unlinked]:
    """List the minted entities of linked kinds that have no Wikidata link yet."""
    query = f"""SELECT DISTINCT ?entity ?label WHERE {{
      ?linked <{OWL_SAME_AS}> ?item ; a ?type .
      FILTER(STRSTARTS(STR(?item), "{WIKIDATA_ENTITY}"))
      ?entity a ?type ; <{RDFS_LABEL}> ?label .
      FILTER(STRSTARTS(STR(?entity), "{ID_NS}") && LANG(?label) IN ("en", "es"))
      FILTER NOT EXISTS {{
        ?entity <{OWL_SAME_AS}> ?other . FILTER(STRSTARTS(STR(?other), "{WIKIDATA_ENTITY}"))
      }}
    }} ORDER BY ?entity ?label"""
    labels: dict[str, list[tuple[str, str]]] = {}
    for row in store.query(query, use_default_graph_as_union=True):  # type: ignore[union-attr]
        label = row["label"]
        pair = (label.value, label.language or "")
        labels.setdefault(row["entity"].value, []).append(pair)
    return [Unlinked(entity, tuple(pairs)) for entity, pairs in labels.items()]


def candidate_query(entity: Unlinked, limit: int) -> str:
    """Return the query that finds items labelled exactly like the entity."""
    values = " ".join(literal_text(text, language) for text, language in entity.labels)
    return f"""PREFIX rdfs: <{RDFS}>
PREFIX schema: <{SCHEMA_HTTP}>
SELECT DISTINCT ?item ?label ?description WHERE {{
  VALUES ?label {{ {values} }}
  ?item rdfs:label ?label .
  FILTER(STRSTARTS(STR(?item), "{WIKIDATA_ENTITY}Q"))
  OPTIONAL {{ ?item schema:description ?description . FILTER(LANG(?description) = "en") }}
}} ORDER BY ?item LIMIT {limit}"""


def candidates(
    client: WikidataClient,
    entities: list[Unlinked],
    limit: int = 5,
    progress: Callable[[Iterable[Unlinked]], Iterable[Unlinked]] = lambda found: found,
) -> list[Candidate]:
    """Ask the endpoint for items labelled like each unlinked entity."""
    found: list[Candidate] = []
    seen: set[tuple[str, str]] = set()
    for entity in progress(entities):
        results = client.select(candidate_query(entity, limit))
        for row in results.get("results", {}).get("bindings", []):
            item = row["item"]["value"]
            if (entity.entity, item) in seen:
                continue
            seen.add((entity.entity, item))
            description = row.get("description", {}).get("value")
            found.append(Candidate(entity.entity, item, row["label"]["value"], description))
    return found
