"""Find what the graph already holds about what a sentence speaks of: shared entities, values.

An article speaks about real-world things that other articles and the verified record speak of
too (a person, a border, a tenure). Their values compete: a plain query sees only the best one, so
a sentence's value that differs from a verified value is written as an ``rdf:Statement``, and one
that repeats it as a triple (README, "The model"). To prepare that choice, the draft finds

- the shared entities a sentence speaks of without naming them: those with at least two
  functional links (``owl:FunctionalProperty``) to entities it names (a tenure's holder and
  office, in "Jerí has been interim president of Peru"); links to a country do not count, as
  most sentences name one (Jerí's delegation is not every sentence that names Jerí and Peru);
- the verified best values of the entities it names or speaks of that one of its dates could
  state (their days overlap: "October 2025" and 10 October 2025) or one of its amounts could round
  (the same unit, within a tenth: 1,500 km and 1,529 km).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pyoxigraph import Literal, NamedNode, QuerySolutions, Store

from kg import iris, vocab
from kg.draft.document import Amount, DateValue, Mention, Recorded, Shared
from kg.graph.dates import bounds
from kg.graph.materialise import STATEMENTS_GRAPH

CLOSE = Decimal("0.1")
"""How far (a share of the record's value) an amount may be from it and still be its rounding."""

LINKS = f"""
SELECT DISTINCT ?entity ?label ?key ?value WHERE {{
  GRAPH <{iris.GRAPH_NS}entities> {{
    ?entity a ?type OPTIONAL {{ ?entity <{vocab.RDFS_LABEL}> ?label }}
  }}
  GRAPH <{iris.ONTOLOGY_GRAPH}> {{
    ?key a <{vocab.OWL}FunctionalProperty> , <{vocab.OWL}ObjectProperty>
  }}
  ?entity ?key ?value FILTER(isIRI(?value))
  FILTER NOT EXISTS {{ GRAPH <{iris.GRAPH_NS}entities> {{ ?value a <{vocab.SCHEMA}Country> }} }}
}}
"""
RECORD = f"""
SELECT ?subject ?property ?value ?number ?unit ?earliest ?latest ?fact WHERE {{
  GRAPH <{STATEMENTS_GRAPH}> {{
    ?statement a <{iris.ONTOLOGY_NS}VerifiedStatement> , <{vocab.WIKIBASE}BestRank> ;
      <{vocab.RDF}subject> ?subject ; <{vocab.RDF}predicate> ?property ;
      <{vocab.RDF}object> ?value ; <{vocab.SCHEMA}isPartOf> ?fact .
    OPTIONAL {{ ?statement <{iris.ONTOLOGY_NS}earliest> ?earliest ;
                           <{iris.ONTOLOGY_NS}latest> ?latest }}
    OPTIONAL {{ ?value <{vocab.SCHEMA}value> ?number ; <{vocab.QUDT}unit> ?unit }}
  }}
}} ORDER BY ?subject ?property ?fact
"""


@dataclass(frozen=True)
class Value:
    """One verified best value: a date with its days, or a number with its unit."""

    subject: str
    property: str
    fact: str
    lexical: str
    datatype: str | None
    days: tuple[str, str] | None
    number: Decimal | None
    unit: str | None


def select(store: Store, query: str) -> QuerySolutions:
    """Run a SELECT over the union of the graphs."""
    found = store.query(query, use_default_graph_as_union=True)
    if not isinstance(found, QuerySolutions):
        raise TypeError("the draft's look-ups must be SELECT queries")
    return found


def links(store: Store, language: str) -> dict[str, tuple[str, set[tuple[str, str]]]]:
    """Return each shared entity's label (in the language, else English) and functional links."""
    labels: dict[str, dict[str, str]] = defaultdict(dict)
    keyed: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in select(store, LINKS):
        entity, label = row["entity"].value, row["label"]
        if isinstance(label, Literal):
            labels[entity][label.language or ""] = label.value
        keyed[entity].add((row["key"].value, row["value"].value))
    return {
        entity: (labels[entity].get(language) or labels[entity].get("en") or entity, found)
        for entity, found in keyed.items()
    }


def shared_entities(store: Store, mentions: list[Mention], language: str) -> list[Shared]:
    """Return, per sentence, the shared entities it speaks of through two named links or more."""
    named: dict[int, set[str]] = defaultdict(set)
    for mention in mentions:
        named[mention.sentence].add(mention.entity)
    found = []
    for entity, (label, keyed) in sorted(links(store, language).items()):
        for sentence, entities in sorted(named.items()):
            keys = sorted({key for key, value in keyed if value in entities})
            if entity not in entities and len(keys) >= 2:
                found.append(Shared(sentence, entity, label, tuple(keys)))
    return found


def record(store: Store) -> list[Value]:
    """Return the verified best values: dates with their days, amounts with their unit."""
    values = []
    for row in select(store, RECORD):
        value = row["value"]
        literal = value if isinstance(value, Literal) else None
        number = row["number"].value if row["number"] is not None else None
        days = (row["earliest"].value, row["latest"].value) if row["earliest"] is not None else None
        values.append(
            Value(
                row["subject"].value,
                row["property"].value,
                row["fact"].value,
                literal.value if literal is not None else number or "",
                literal.datatype.value if literal is not None else None,
                days,
                decimal(number),
                row["unit"].value if row["unit"] is not None else None,
            )
        )
    return values


def decimal(text: str | None) -> Decimal | None:
    """Return a number's value, or None when there is none."""
    try:
        return Decimal(text) if text is not None else None
    except InvalidOperation:
        return None


def days_of(found: DateValue) -> tuple[str, str] | None:
    """Return the first and last day a date of the text can mean."""
    return bounds(Literal(found.lexical, datatype=NamedNode(vocab.XSD + found.datatype)))


def meets(found: DateValue | Amount, value: Value) -> bool:
    """Tell whether a date or amount of the text could state the record's value."""
    if isinstance(found, DateValue):
        days = days_of(found)
        return (
            days is not None
            and value.days is not None
            and days[0] <= value.days[1]
            and value.days[0] <= days[1]
        )
    unit = vocab.CURRENCY + found.currency if found.currency else found.unit
    return (
        value.number is not None
        and value.unit == unit
        and abs(found.value - value.number) <= CLOSE * abs(value.number)
    )


def same(found: DateValue | Amount, value: Value) -> bool:
    """Tell whether a date or amount of the text is exactly the record's value."""
    if isinstance(found, DateValue):
        return value.datatype == vocab.XSD + found.datatype and value.lexical == found.lexical
    return value.number == found.value


def recorded_values(
    store: Store,
    mentions: list[Mention],
    shared: list[Shared],
    found: list[DateValue | Amount],
) -> list[Recorded]:
    """Return the record's values that each date or amount of a sentence could state."""
    about: dict[int, set[str]] = defaultdict(set)
    for mention in mentions:
        about[mention.sentence].add(mention.entity)
    for thing in shared:
        about[thing.sentence].add(thing.entity)
    values = record(store)
    return [
        Recorded(
            item.sentence,
            item,
            value.subject,
            value.property,
            value.fact,
            value.lexical,
            value.datatype,
            value.unit,
            same(item, value),
        )
        for item in found
        for value in values
        if value.subject in about[item.sentence] and meets(item, value)
    ]
