"""The query path shared by the endpoint, the pages, the exports and ``kg query``.

text -> prepare (size, form, SERVICE/LOAD, base, row cap, dataset: ``kg.prepare``) -> negotiate
the format for the form (the caller's choice) -> back end under the deadline (live SERVICE
clauses answered there, inside the concurrency limit) -> streamed bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from kg.errors import DeadlineExceeded
from kg.execution.base import Backend, Dataset, Deadline, Outcome
from kg.prepare import Preparer
from kg.settings import Settings
from kg.wikidata.live import LiveService


@dataclass
class Services:
    """What one running instance holds: its settings, its store, its Wikidata client."""

    settings: Settings
    backend: Backend
    live: LiveService | None = None
    """The live Wikidata client; built from the settings in live mode when not given."""
    preparer: Preparer = field(init=False)

    def __post_init__(self) -> None:
        if self.live is None and self.settings.wikidata_mode == "live":
            self.live = LiveService.from_settings(self.settings)
        self.preparer = Preparer(self.settings, self.live)

    def deadline(self, timeout: float | None = None) -> Deadline:
        """Return the deadline of a request: the server's, or shorter if the client asks."""
        limit = self.settings.query_timeout
        return Deadline.after(limit if timeout is None else min(timeout, limit))

    def run_query(
        self,
        text: str,
        choose_media_type: Callable[[str], str],
        dataset: Dataset | None = None,
        timeout: float | None = None,
    ) -> Outcome:
        """Prepare, negotiate and run a query; choose_media_type maps the query form to a format."""
        deadline = self.deadline(timeout)
        prepared = self.preparer.query(text, dataset)
        media_type = choose_media_type(prepared.form)
        if deadline.expired:
            raise DeadlineExceeded(
                f"reading the query took its whole {deadline.seconds:g} s deadline"
            )
        outcome = self.backend.query(prepared, media_type, deadline)
        if prepared.row_cap is not None:
            outcome.headers["KG-Row-Cap"] = str(prepared.row_cap)
        if prepared.live_clauses:
            # Wikidata changes: an answer that called it is kept only briefly (kg.web.cache).
            outcome.headers["Cache-Control"] = f"max-age={self.settings.live_answer_max_age}"
        return outcome

    def run_update(self, text: str, dataset: Dataset | None = None) -> None:
        """Prepare and apply an update (authorization is the web layer's job)."""
        deadline = self.deadline()
        prepared = self.preparer.update(text, dataset).answered(deadline)
        self.backend.update(prepared, deadline.remaining())

    def close(self) -> None:
        """Release the store's processes and connections, and the Wikidata client's."""
        self.backend.close()
        if self.live is not None:
            self.live.close()
