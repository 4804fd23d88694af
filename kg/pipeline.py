"""The query path shared by the endpoint, the pages, the exports and ``kg query``.

text -> policy (size, form, SERVICE/LOAD) -> negotiation -> back end (deadline, streaming).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kg.execution.base import Backend, Dataset, Outcome, QueryJob
from kg.policy import Policy
from kg.settings import Settings


@dataclass
class Services:
    """What one running instance holds: its settings, its store and its policy."""

    settings: Settings
    backend: Backend
    policy: Policy

    def run_query(
        self,
        text: str,
        choose_media_type: Callable[[str], str],
        dataset: Dataset | None = None,
        timeout: float | None = None,
    ) -> Outcome:
        """Check, negotiate and run a query; choose_media_type maps the query form to a format."""
        prepared = self.policy.prepare_query(text)
        media_type = choose_media_type(prepared.form)
        limit = self.settings.query_timeout
        budget = limit if timeout is None else min(timeout, limit)
        job = QueryJob(prepared.text, media_type, prepared.within(dataset or Dataset()), budget)
        return self.backend.query(job)

    def run_update(self, text: str, dataset: Dataset | None = None) -> None:
        """Check and apply an update (authorization is the web layer's job)."""
        checked = self.policy.prepare_update(text)
        self.backend.update(checked, dataset or Dataset(), self.settings.query_timeout)
