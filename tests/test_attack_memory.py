"""The memory bomb: four cross-product sorts at once, at the default settings.

Before each query process had a budget, one such query grew a worker by about 400 MB/s until its
deadline (11.9 GiB at the default 30 s) and four at once exhausted the machine. Now each query
process fails at its budget (507, naming the limit), the whole process group stays under 2 GiB,
and the server goes on answering.
"""

from __future__ import annotations

import threading
import urllib.parse
from pathlib import Path

import pytest
from support.attack import Probe, group_pss_mib, request, sample_peak

from tests.support.server import start_server

pytestmark = pytest.mark.server

SORT = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i ?a"
GROUP_LIMIT_MIB = 2048


def test_four_cross_product_sorts_stay_within_the_budget(tmp_path: Path) -> None:
    data = tmp_path / "numbers.ttl"
    data.write_text(
        "".join(f"<http://e/s{i}> <http://e/p> {i} .\n" for i in range(3000)), encoding="utf-8"
    )
    server = start_server("--data", str(data))
    try:
        url = server.sparql + "?" + urllib.parse.urlencode({"query": SORT})
        answers: list[tuple[int, bytes]] = []

        def bomb(host: int) -> None:
            answer = request(url, source=f"127.0.0.{host}", timeout=60)
            answers.append((answer.status, answer.body))

        peaks: list[float] = []
        stop = threading.Event()
        sampler = threading.Thread(
            target=sample_peak, args=(lambda: group_pss_mib(server.process.pid), stop, peaks)
        )
        sampler.start()
        bombs = [threading.Thread(target=bomb, args=(host,)) for host in range(2, 6)]
        try:
            for thread in bombs:
                thread.start()
            with Probe(server.sparql, every=0.5) as probe:
                for thread in bombs:
                    thread.join(timeout=60)
                # The bombs can all hit their budget within a second, before the probe has
                # asked three times; it keeps asking until it has, right after them.
                probe.wait_for_answers(3, within=10)
        finally:
            stop.set()
            sampler.join()
        probe.assert_served()
        assert max(peaks) < GROUP_LIMIT_MIB, max(peaks)
        assert [status for status, _ in answers] == [507] * 4, answers
        budget = b"the query needed more than its 384 MiB memory budget (--query-memory-mb)"
        assert budget in answers[0][1]
    finally:
        server.stop()
