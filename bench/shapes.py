"""The six query shapes measured under load, and the large result used by the streaming probe.

Under load every request may carry a text never sent before (``Shape.distinct``): point lookups
look up a different person each time, and every text ends with a comment numbering the request,
so a response cache (or anything keyed on the text) cannot answer it.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIXES = "PREFIX v: <https://bench.example.org/vocab#> PREFIX s: <https://schema.org/> "
PERSON_IRI = "https://bench.example.org/id/person/"
PERSON = f"<{PERSON_IRI}42>"
COUNTRY = "<https://bench.example.org/id/country/7>"
SOLUTIONS = "application/sparql-results+json"
TRIPLES = "application/n-triples"


@dataclass(frozen=True)
class Shape:
    """One query shape: its name, its text and the format it is asked for."""

    name: str
    query: str
    accept: str = SOLUTIONS
    heavy: bool = False
    varies: tuple[str, str] | None = None
    """The text before and after the number of the entity looked up, when requests vary it."""

    def distinct(self, scale: int) -> tuple[str, int, str]:
        """Return the pieces wrk.lua builds distinct texts from: prefix, modulus, suffix.

        A shape that looks up an entity varies it over the persons of the data (one per 100
        triples); every shape's texts also differ by the comment wrk.lua appends.
        """
        if self.varies is None:
            return self.query, 0, ""
        before, after = self.varies
        return before, max(1, scale // 100), after


SHAPES = (
    Shape(
        "point",
        PREFIXES + f"SELECT ?p ?o WHERE {{ {PERSON} ?p ?o }}",
        varies=(PREFIXES + f"SELECT ?p ?o WHERE {{ <{PERSON_IRI}", "> ?p ?o }"),
    ),
    Shape(
        "join2",
        PREFIXES + f"SELECT ?article ?headline WHERE {{ ?person v:nationality {COUNTRY} . "
        "?article s:mentions ?person ; s:headline ?headline }",
    ),
    Shape(
        "range",
        PREFIXES + "SELECT ?flow ?amount WHERE { ?flow v:amountUSD ?amount "
        "FILTER(?amount >= 1000000 && ?amount < 2000000) } ORDER BY DESC(?amount) LIMIT 20",
        heavy=True,
    ),
    Shape(
        "group",
        PREFIXES + "SELECT ?exporter (SUM(?amount) AS ?total) (COUNT(?flow) AS ?flows) "
        "WHERE { ?flow v:exporter ?exporter ; v:amountUSD ?amount } "
        "GROUP BY ?exporter ORDER BY DESC(?total)",
        heavy=True,
    ),
    Shape(
        "construct",
        PREFIXES + "CONSTRUCT { ?flow ?p ?o } WHERE { ?flow a v:TradeFlow ; ?p ?o } LIMIT 1000",
        accept=TRIPLES,
    ),
    Shape("rows50k", "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 50000", heavy=True),
)

STREAM = Shape(
    "rows500k",
    "SELECT ?k ?s ?p ?o WHERE { VALUES ?k { 1 2 3 4 5 } ?s ?p ?o } LIMIT 500000",
    heavy=True,
)
"""Five copies of every triple (500k rows from the 100k dataset), in no particular order."""


def by_name(names: str) -> tuple[Shape, ...]:
    """Select shapes by a comma-separated list of names ("all" for every one)."""
    if names == "all":
        return SHAPES
    wanted = names.split(",")
    unknown = set(wanted) - {shape.name for shape in SHAPES}
    if unknown:
        raise ValueError(f"unknown shapes: {', '.join(sorted(unknown))}")
    return tuple(shape for shape in SHAPES if shape.name in wanted)
