"""Byte streams: read by a parser as a file, and closed early when no longer wanted.

Every stream of work (a query worker's answer, a remote store's, a WSGI body) is closed through
``close_stream``, so whatever produces it (a query slot, a connection, a process) is freed the
same way everywhere.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any


def close_stream(stream: object) -> None:
    """Close a stream early if it can be closed (a generator, a worker's or a store's answer)."""
    close = getattr(stream, "close", None)
    if close is not None:
        close()


class ChunkReader(io.RawIOBase):
    """A readable file over an iterator of byte chunks, so a parser can consume a stream."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        super().__init__()
        self._chunks = chunks
        self._pending = b""

    def readable(self) -> bool:
        """Tell io that this file can be read."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill buffer with the next bytes of the stream; 0 at its end."""
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size
