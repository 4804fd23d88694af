"""Prepare a query or update once: one tokenisation, every check and every rewrite in one place.

The prepared operation is exactly what both back ends run; they add nothing of their own.

- **size**: counted in bytes before the text is read at all (``kg.policy``);
- **base**: relative IRIs, ``IRI("x")`` included, resolve against the endpoint's published IRI
  (``kg.iris.ENDPOINT``), the same for every client and every route (a ``BASE`` line is put in
  front of a text that does not open with an absolute one);
- **SERVICE**: clauses naming Wikidata are pinned to the extract (``GRAPH <.../graph/wikidata>``)
  or, in live mode, marked to be answered after negotiation, under the query's deadline; every
  other clause is checked by ``kg.policy``;
- **row cap**: a SELECT that does not itself ask for at most the cap is bounded to cap + 1 rows;
- **dataset**, as SPARQL 1.1 defines it: the protocol's ``default-graph-uri`` and
  ``named-graph-uri`` when given, else the query's ``FROM`` and ``FROM NAMED``, else this
  service's default dataset (the union of all graphs); an update's ``using-graph-uri`` and
  ``using-named-graph-uri`` are written into its text as ``USING``.

Error positions the engine reports against the final text are mapped back to the client's text
(``Prepared.explain``), so nothing is parsed twice.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from kg.egress import EgressRules
from kg.errors import BadRequest
from kg.execution.base import (
    Dataset,
    Edit,
    LiveAnswers,
    LiveClause,
    PreparedQuery,
    PreparedUpdate,
)
from kg.iris import ENDPOINT, WIKIDATA_GRAPH
from kg.policy import (
    ServicePlan,
    check_length,
    check_loads,
    check_update,
    form_of_query,
    settle_services,
)
from kg.settings import Settings
from kg.sparql_text import (
    Prologue,
    Scan,
    ServiceClause,
    dataset_clauses,
    iri_text,
    iri_value,
    is_absolute,
    scan,
)


class Preparer:
    """Turn client texts into prepared operations under one instance's settings."""

    def __init__(self, settings: Settings, live: LiveAnswers | None = None) -> None:
        self.settings = settings
        self.rules = EgressRules(settings)
        self.live = live
        self.base = ENDPOINT

    @property
    def is_live(self) -> bool:
        """Tell whether Wikidata clauses are answered by calling Wikidata."""
        return self.settings.wikidata_mode == "live"

    def query(self, text: str, dataset: Dataset | None = None) -> PreparedQuery:
        """Check a query and settle everything the engine needs to run it."""
        check_length(text, self.settings.max_query_length, "query")
        read = scan(text)
        form = form_of_query(read.tokens)
        names = keywords(read)
        plan = self._services(read, names)
        edits = [*self._base(read), *_pins(read, plan.pinned), *self._holes(read, plan.live)]
        cap = self.settings.result_row_cap
        capping = _cap(read, cap) if form == "SELECT" else None
        if capping is not None:
            edits.append(capping)
        return PreparedQuery(
            text,
            _ordered(edits),
            self.base,
            self.live,
            form=form,
            dataset=self._dataset(
                read, dataset or Dataset(), pinned=bool(plan.pinned), names=names
            ),
            row_cap=cap if capping is not None else None,
        )

    def update(self, text: str, dataset: Dataset | None = None) -> PreparedUpdate:
        """Check an update and settle everything the engine needs to apply it."""
        check_length(text, self.settings.max_query_length, "update")
        read = scan(text)
        check_update(read.tokens)
        names = keywords(read)
        if "LOAD" in names:
            check_loads(read.tokens, self.rules, self.base)
        plan = self._services(read, names)
        edits = [*self._base(read), *_pins(read, plan.pinned), *self._holes(read, plan.live)]
        if dataset is not None and not dataset.is_union:
            edits += _using(read, dataset)
        return PreparedUpdate(text, _ordered(edits), self.base, self.live)

    def _services(self, read: Scan, names: frozenset[str]) -> ServicePlan:
        """Check and sort the text's SERVICE clauses (a text without the keyword has none)."""
        if "SERVICE" not in names:
            return NO_SERVICES
        return settle_services(read, self.rules, live=self.is_live, base=self.base)

    def _base(self, read: Scan) -> Iterator[Edit]:
        """Give the text this service's base, unless it opens with an absolute BASE of its own."""
        tokens = read.tokens
        opens_with_base = (
            len(tokens) > 1
            and tokens[0].is_keyword("BASE")
            and tokens[1].kind == "iri"
            and is_absolute(iri_value(tokens[1]))
        )
        if not opens_with_base:
            yield Edit(0, 0, f"BASE {iri_text(self.base)}\n")

    def _holes(self, read: Scan, clauses: Sequence[ServiceClause]) -> list[Edit]:
        """Mark each live clause's place; its rows are fetched once the query may run."""
        holes = list(self._live_clauses(read, clauses))
        distinct = {hole.new for hole in holes}
        limit = self.settings.live_service_clauses
        if len(distinct) > limit:
            raise BadRequest(
                f"the text has {len(distinct)} different SERVICE clauses to be answered by "
                f"Wikidata live; the limit is {limit} (KG_LIVE_SERVICE_CLAUSES): join them "
                "into fewer clauses"
            )
        return holes

    def _live_clauses(self, read: Scan, clauses: Sequence[ServiceClause]) -> Iterator[Edit]:
        """Yield the edit that stands for each live clause: the SELECT to send in its place."""
        tokens = read.tokens
        for clause in clauses:
            group = read.text[tokens[clause.open_brace].start : tokens[clause.close_brace].end]
            inside = tokens[clause.open_brace : clause.close_brace]
            relative = any(t.kind == "iri" and not is_absolute(iri_value(t)) for t in inside)
            declared = Prologue(
                clause.declared.base if relative else None, clause.declared.prefixes, 0
            )
            prologue = declared.text()
            query = f"{prologue}\nSELECT * WHERE {group}" if prologue else f"SELECT * WHERE {group}"
            yield Edit(
                tokens[clause.keyword].start,
                tokens[clause.close_brace].end,
                LiveClause(query, clause.silent),
            )

    def _dataset(
        self, read: Scan, given: Dataset, *, pinned: bool, names: frozenset[str]
    ) -> Dataset:
        """Return the query's dataset: the protocol's, else its FROM clauses, else the union."""
        chosen = given
        if given.is_union and "FROM" in names:
            named_in_text = dataset_clauses(read, self.base)
            if named_in_text is not None:
                chosen = Dataset(tuple(named_in_text[0]), tuple(named_in_text[1]))
        if pinned and not chosen.is_union and WIKIDATA_GRAPH not in chosen.named_graphs:
            # The pinned extract is read with GRAPH, so a query naming its dataset keeps it.
            chosen = Dataset(chosen.default_graphs, (*chosen.named_graphs, WIKIDATA_GRAPH))
        return chosen


NO_SERVICES = ServicePlan((), ())


def keywords(read: Scan) -> frozenset[str]:
    """Return the words of a text in upper case: the checks a text without their keyword skips.

    Each skip gives the same answer the check would (no SERVICE keyword, no SERVICE clause),
    at a fraction of its cost on the short texts most requests carry.
    """
    return frozenset(token.text.upper() for token in read.tokens if token.kind == "name")


def _ordered(edits: list[Edit]) -> tuple[Edit, ...]:
    """Return edits in text order (they never overlap)."""
    return tuple(sorted(edits, key=lambda e: (e.start, e.end)))


def _pins(read: Scan, clauses: Sequence[ServiceClause]) -> Iterator[Edit]:
    """Rewrite ``SERVICE [SILENT] <wikidata>`` to ``GRAPH <extract>``, keeping each group."""
    for clause in clauses:
        yield Edit(
            read.tokens[clause.keyword].start,
            read.tokens[clause.open_brace].start,
            f"GRAPH {iri_text(WIKIDATA_GRAPH)} ",
        )


def _cap(read: Scan, cap: int) -> Edit | None:
    """Bound a SELECT to cap + 1 solutions unless it already asks for at most cap.

    A client that receives cap + 1 rows knows the answer was cut. A text whose brackets do not
    balance (it fails to parse anyway) is left alone.
    """
    if not read.balanced:
        return None
    tokens = read.tokens
    bound = f"{cap + 1}"
    for index in read.top_level:
        if tokens[index].is_keyword("LIMIT") and index + 1 < len(tokens):
            number = tokens[index + 1]
            if number.kind == "number" and number.text.isdigit() and int(number.text) <= cap:
                return None
            return Edit(number.start, number.end, bound)
    values = next((i for i in read.top_level if tokens[i].is_keyword("VALUES")), None)
    if values is None:
        return Edit(len(read.text), len(read.text), f"\nLIMIT {bound}")
    start = tokens[values].start
    return Edit(start, start, f"\nLIMIT {bound}\n")


def _using(read: Scan, dataset: Dataset) -> list[Edit]:
    """Write the protocol's using-graph-uri and using-named-graph-uri before every WHERE.

    The protocol makes it an error to combine them with USING or WITH in the update itself.
    """
    tokens = read.tokens
    for index in read.top_level:
        if tokens[index].is_keyword("USING", "WITH"):
            raise BadRequest(
                f"the update has a {tokens[index].text.upper()} clause and the request also gives "
                "using-graph-uri or using-named-graph-uri; name the dataset in one place only"
            )
    clause = " ".join(
        [f"USING {iri_text(g)}" for g in dataset.default_graphs]
        + [f"USING NAMED {iri_text(g)}" for g in dataset.named_graphs]
    )
    return [
        Edit(tokens[index].start, tokens[index].start, clause + " ")
        for index in read.top_level
        if tokens[index].is_keyword("WHERE")
        and index > 0
        and not tokens[index - 1].is_keyword("DELETE")
    ]
