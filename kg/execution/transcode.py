"""Re-serialize a remote store's answer, so every store answers in the embedded store's bytes.

Stores serialize differently, and some wrongly: Virtuoso 7.2 writes TSV and CSV without language
tags or datatypes and with a quoted header, and its JSON and XML results differ in layout from
pyoxigraph's. So a remote store is always asked for one exact format (SPARQL JSON results, or
N-Triples for graphs) and pyoxigraph writes the format the client negotiated, exactly as it does
over the embedded store. JSON rather than XML: pyoxigraph's XML results parser trims the spaces
and line breaks at either end of a literal, and XML cannot carry a carriage return as it is.

Two things in Virtuoso's JSON are put right on the way through (``virtuoso_json``): a blank node
written as ``nodeID://b10001``, which is not a blank node label (pyoxigraph refuses the answer),
and a stored ``xsd:boolean`` written as ``"1"`` or ``"0"`` (its XML says ``true`` and ``false``).
Virtuoso's writer is fixed-format, and inside a JSON string every ``"`` is escaped, so these byte
sequences can only be the structure they stand for.

Parsing and writing run on a thread of their own (a QuerySolutions must be consumed on the
thread that made it), a bounded queue away from the response, so the answer still streams. When
the client goes away, the thread stops at its next write and closes the store's answer; it holds
no reference to the response object, so a response dropped without closing stops it too.

>>> answer = b'{ "head": { "link": [] }, "boolean": true }'
>>> b"".join(Transcoded(iter([answer]), SOLUTIONS_SOURCE, "text/csv"))
b'true'
"""

from __future__ import annotations

import contextlib
import io
import queue
import threading
from collections.abc import Iterator
from typing import Any

from pyoxigraph import (
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    parse,
    parse_query_results,
    serialize,
)

from kg.formats import rdf_format, results_format
from kg.streams import ChunkReader, close_stream
from kg.vocab import XSD_BOOLEAN

SOLUTIONS_SOURCE = "application/sparql-results+json"
GRAPH_SOURCE = "application/n-triples"
CHUNK_BYTES = 64 * 1024
QUEUED_CHUNKS = 8
_XSD_BOOLEAN = f'"datatype": "{XSD_BOOLEAN}", "value": '.encode()
VIRTUOSO_JSON = (
    (b'"type": "bnode", "value": "nodeID://', b'"type": "bnode", "value": "'),
    (_XSD_BOOLEAN + b'"1"', _XSD_BOOLEAN + b'"true"'),
    (_XSD_BOOLEAN + b'"0"', _XSD_BOOLEAN + b'"false"'),
)
"""What Virtuoso 7.2 writes in JSON results, and what it means."""

Item = bytes | BaseException | None
"""What the thread hands the response: a chunk, the failure that ended it, or None at the end."""


def source_media_type(media_type: str) -> str:
    """Return the format to ask the store for, given the format the client will get."""
    return GRAPH_SOURCE if RdfFormat.from_media_type(media_type) is not None else SOLUTIONS_SOURCE


def virtuoso_json(chunks: Iterator[bytes]) -> Iterator[bytes]:
    r"""Put Virtuoso's blank nodes and booleans right in JSON results, across chunk boundaries.

    >>> b"".join(virtuoso_json(iter([b'{"type": "bnode", "value": "node', b'ID://b1"}'])))
    b'{"type": "bnode", "value": "b1"}'
    """
    keep = max(len(found) for found, _ in VIRTUOSO_JSON) - 1
    pending = b""
    for chunk in chunks:
        pending += chunk
        for found, meant in VIRTUOSO_JSON:
            pending = pending.replace(found, meant)
        if len(pending) > keep:
            yield pending[:-keep]
            pending = pending[-keep:]
    if pending:
        yield pending


class _Stopped(Exception):
    """The client went away: the writing thread stops at its next write."""


class _QueueWriter(io.RawIOBase):
    """A writable file that hands each block it is given to the response."""

    def __init__(self, out: queue.Queue[Item], stop: threading.Event) -> None:
        super().__init__()
        self.out = out
        self.stop = stop
        self.abandoned = False

    def writable(self) -> bool:
        """Tell io that this file can be written."""
        return True

    def write(self, data: Any) -> int:
        """Pass one block on (a BufferedWriter in front makes it CHUNK_BYTES long)."""
        if not self.abandoned:
            put(self.out, bytes(data), self.stop)
        return len(data)


def put(out: queue.Queue[Item], item: Item, stop: threading.Event) -> None:
    """Queue one item, waiting while the response is behind; stop once the client has gone."""
    while not stop.is_set():
        try:
            out.put(item, timeout=0.5)
            return
        except queue.Full:
            continue
    raise _Stopped


def transcode(
    chunks: Iterator[bytes],
    source: str,
    target: str,
    out: queue.Queue[Item],
    stop: threading.Event,
) -> None:
    """Parse the store's answer and write it in the target format (all on the calling thread)."""
    raw = _QueueWriter(out, stop)
    writer = io.BufferedWriter(raw, CHUNK_BYTES)
    last: Item = None
    try:
        if source == GRAPH_SOURCE:
            reader = io.BufferedReader(ChunkReader(chunks), CHUNK_BYTES)
            serialize(parse(reader, format=RdfFormat.N_TRIPLES), writer, format=rdf_format(target))
        else:
            reader = io.BufferedReader(ChunkReader(virtuoso_json(chunks)), CHUNK_BYTES)
            result = parse_query_results(reader, QueryResultsFormat.JSON)
            assert isinstance(result, QuerySolutions | QueryBoolean)
            result.serialize(writer, format=results_format(target))
        writer.flush()
    except _Stopped:
        return
    except BaseException as error:  # the response raises it, where it is turned into a status
        last = error
    finally:
        # After an early end, what the buffer still holds is dropped when it is collected. The
        # store's answer is closed (its connection and query slot freed) before the end is
        # announced, so a client that asks again at once finds the slot free.
        raw.abandoned = True
        close_stream(chunks)
    with contextlib.suppress(_Stopped):
        put(out, last, stop)


class Transcoded:
    """The answer in the client's format, as an iterator of chunks; close() stops the work."""

    def __init__(self, chunks: Iterator[bytes], source: str, target: str) -> None:
        self._out: queue.Queue[Item] = queue.Queue(QUEUED_CHUNKS)
        self._stop = threading.Event()
        self._finished = False
        self._thread = threading.Thread(
            target=transcode,
            args=(chunks, source, target, self._out, self._stop),
            name="kg-transcode",
            daemon=True,
        )
        self._thread.start()

    def __iter__(self) -> Transcoded:
        return self

    def __next__(self) -> bytes:
        """Return the next chunk, or raise what ended the answer."""
        if self._finished:
            raise StopIteration
        item = self._out.get()
        if isinstance(item, bytes):
            return item
        self._finished = True
        self._thread.join()
        if item is None:
            raise StopIteration
        raise item

    def close(self) -> None:
        """Stop the work; the thread closes the store's answer when it notices."""
        self._finished = True
        self._stop.set()

    def __del__(self) -> None:
        self.close()
