"""The execution interface: run a prepared query or update, or a graph transfer, on a store.

Two back ends implement it (the embedded pyoxigraph store, a remote SPARQL 1.1 store); the web
layer and the CLI only ever see this interface. A back end receives a *prepared* operation
(``kg.prepare``): the final text, its dataset and everything else the engine needs are settled
before it is called, so both back ends run exactly the same thing and add nothing of their own.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol, Self

QueryForm = Literal["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]

DEFAULT_GRAPH = "default"
"""Graph selector for the store's own default graph (the Graph Store Protocol's ``?default``)."""


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset of a request; empty means the default graph is the union of all graphs."""

    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @property
    def is_union(self) -> bool:
        """Tell whether the request named no dataset, so the union default graph applies."""
        return not self.default_graphs and not self.named_graphs


@dataclass(frozen=True)
class Deadline:
    """The moment a request's work must be done by, and the budget it was given.

    >>> Deadline.after(30).seconds
    30
    """

    seconds: float
    at: float

    @classmethod
    def after(cls, seconds: float) -> Deadline:
        """Return the deadline that many seconds from now."""
        return cls(seconds, time.monotonic() + seconds)

    def remaining(self) -> float:
        """Return the seconds left (never negative)."""
        return max(0.0, self.at - time.monotonic())

    @property
    def expired(self) -> bool:
        """Tell whether the deadline has passed."""
        return time.monotonic() >= self.at


@dataclass(frozen=True)
class LiveClause:
    """A SERVICE clause answered by calling Wikidata: the SELECT sent for it, and SILENT."""

    query: str
    silent: bool


class LiveAnswers(Protocol):
    """What answers live SERVICE clauses (the running instance's Wikidata client)."""

    def answer(self, clauses: Sequence[LiveClause], deadline: Deadline) -> list[str]:
        """Return, for each clause in order, the VALUES block that stands in its place."""
        ...


@dataclass(frozen=True)
class Edit:
    """Replace ``original[start:end]`` with new text, or with a live clause's answer."""

    start: int
    end: int
    new: str | LiveClause


_POSITION = re.compile(r"error at (\d+):(\d+)")


@dataclass(frozen=True)
class Prepared:
    """A client's text, the edits that make the text the engine runs, and the base IRI."""

    original: str
    edits: tuple[Edit, ...]
    base: str
    live: LiveAnswers | None = field(default=None, compare=False, repr=False)

    @property
    def live_clauses(self) -> tuple[LiveClause, ...]:
        """Return the clauses still to be answered live, in text order."""
        return tuple(e.new for e in self.edits if isinstance(e.new, LiveClause))

    @property
    def text(self) -> str:
        """Return the text the engine runs (only once every live clause is answered)."""
        pieces: list[str] = []
        cursor = 0
        for edit in self.edits:
            if isinstance(edit.new, LiveClause):
                raise ValueError("the live SERVICE clauses of this text are not answered yet")
            pieces += [self.original[cursor : edit.start], edit.new]
            cursor = edit.end
        return "".join(pieces) + self.original[cursor:]

    def answered(self, deadline: Deadline) -> Self:
        """Return this operation with its live clauses answered (within the deadline)."""
        clauses = self.live_clauses
        if not clauses:
            return self
        assert self.live is not None, "live clauses need a client to answer them"
        answers = iter(self.live.answer(clauses, deadline))
        edits = tuple(
            replace(e, new=next(answers)) if isinstance(e.new, LiveClause) else e
            for e in self.edits
        )
        return replace(self, edits=edits)

    def as_written(self) -> Self:
        """Return the client's text with only this service's base added: what the client wrote.

        The engine's message about a syntax error is read from it, as edits may change what
        the parser expects (an appended LIMIT lets it read further than the client's text).
        """
        base = tuple(e for e in self.edits if e.start == e.end == 0 and isinstance(e.new, str))
        return replace(self, edits=base)

    def original_offset(self, offset: int) -> int:
        """Map an offset in the final text back to the client's text.

        An offset inside text that an edit wrote maps to where that edit starts.
        """
        shift = 0
        for edit in self.edits:
            written = len(edit.new) if isinstance(edit.new, str) else 0
            if offset < edit.start + shift:
                break
            if offset < edit.start + shift + written:
                return edit.start
            shift += written - (edit.end - edit.start)
        return max(0, offset - shift)

    def explain(self, message: str) -> str:
        """Rewrite an engine message's ``error at LINE:COLUMN`` to a place in the client's text."""
        found = _POSITION.search(message)
        if found is None or not self.edits:
            return message
        line, column = int(found.group(1)), int(found.group(2))
        final = self.text
        starts = [0] + [i + 1 for i, c in enumerate(final) if c == "\n"]
        if line > len(starts):
            return message
        offset = self.original_offset(starts[line - 1] + column - 1)
        line = self.original.count("\n", 0, offset) + 1
        column = offset - (self.original.rfind("\n", 0, offset) + 1) + 1
        return message[: found.start()] + f"error at {line}:{column}" + message[found.end() :]


@dataclass(frozen=True, kw_only=True)
class PreparedQuery(Prepared):
    """A query ready to run: its final text, form, dataset and row cap."""

    form: QueryForm
    dataset: Dataset
    row_cap: int | None
    """The cap applied to a SELECT (it asks for one row more, so a cut answer shows); None."""


@dataclass(frozen=True)
class PreparedUpdate(Prepared):
    """An update ready to apply: its final text (base, SERVICE, USING all in the text)."""


@dataclass
class Outcome:
    """A result being produced: its media type and its body as a stream of bytes.

    Closing ``chunks`` (as a WSGI server does when the client goes away) stops the work.
    """

    media_type: str
    chunks: Iterator[bytes]
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def whole(cls, media_type: str, body: bytes) -> Outcome:
        """Return the outcome of an answer that is already complete (its length is known)."""
        return cls(media_type, iter((body,)), complete=body)

    complete: bytes | None = field(default=None, kw_only=True, repr=False)
    """The whole body, when it was complete before anything was sent."""

    def read_all(self) -> bytes:
        """Consume the stream into one bytes object (small results only)."""
        return b"".join(self.chunks)


class Backend(Protocol):
    """What the web layer and the CLI need from a store."""

    @property
    def version(self) -> int:
        """Return a number that changes on every write (for ETags and cache invalidation)."""
        ...

    @property
    def writable(self) -> bool:
        """Tell whether this back end accepts updates and graph writes."""
        ...

    def query(self, prepared: PreparedQuery, media_type: str, deadline: Deadline) -> Outcome:
        """Run a prepared query under its deadline and stream the serialized result."""
        ...

    def export(self, graph: str | None, media_type: str, timeout: float) -> Outcome:
        """Serialize one graph (an IRI or DEFAULT_GRAPH) or, with None, the whole dataset."""
        ...

    def graph_names(self) -> list[str]:
        """List the named graphs in the store."""
        ...

    def has_graph(self, graph: str) -> bool:
        """Tell whether a named graph exists (DEFAULT_GRAPH always does)."""
        ...

    def update(self, prepared: PreparedUpdate, timeout: float) -> None:
        """Apply a prepared update durably before returning."""
        ...

    def put_graph(self, graph: str, data: bytes, media_type: str, *, replace: bool) -> bool:
        """Load RDF into a graph (replacing it or adding to it); return True if it was created."""
        ...

    def drop_graph(self, graph: str) -> bool:
        """Remove a graph; return False if it did not exist."""
        ...

    def close(self) -> None:
        """Release processes, files and connections."""
        ...
