"""Helpers for the pages' tests: the miniature graph, an app around it, and a link crawler."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from flask import Flask
from flask.testing import FlaskClient
from pyoxigraph import RdfFormat, Store

from kg.execution.embedded import EmbeddedBackend
from kg.graph.void import describe
from kg.settings import Settings
from kg.web import create_app

HERE = Path(__file__).parent
MINI = HERE / "mini.trig"
MINI_QUERIES = HERE / "queries"
BUILT_AT = datetime(2025, 12, 13, 9, 30, tzinfo=UTC)


# The sentence behind every claim: what a person must reach from the landing page.
SENTENCES_OF_CLAIMS = """
SELECT ?claim ?exact WHERE {
  ?claim a <https://schema.org/Claim> ;
         <http://www.w3.org/ns/prov#wasDerivedFrom>/<http://www.w3.org/ns/oa#hasSelector>/
         <http://www.w3.org/ns/oa#exact> ?exact .
} ORDER BY ?claim
"""


def mini_store() -> Store:
    """Return the miniature graph with its VoID description."""
    store = Store()
    store.load(path=str(MINI), format=RdfFormat.TRIG)
    describe(store, modified=BUILT_AT, examples=MINI_QUERIES)
    return store


def mini_app(settings: Settings | None = None) -> Flask:
    """Return the web app serving the miniature graph and its example queries."""
    settings = (settings or Settings()).replace(examples=MINI_QUERIES)
    return create_app(EmbeddedBackend(mini_store()), settings, {"TESTING": True})


class Links(HTMLParser):
    """Collect the links of an HTML page (a, link, script, img, form)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = {"a": "href", "link": "href", "script": "src", "img": "src", "form": "action"}
        name = wanted.get(tag)
        for key, value in attrs:
            if key == name and value:
                self.found.append(value)


def links_of(html: str) -> list[str]:
    """Return every link target on a page."""
    parser = Links()
    parser.feed(html)
    return parser.found


@dataclass
class Crawl:
    """What a crawl saw: each local URL's status and click depth, and the external links."""

    status: dict[str, int] = field(default_factory=dict)
    depth: dict[str, int] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    referrers: dict[str, str] = field(default_factory=dict)
    external: set[str] = field(default_factory=set)

    @property
    def broken(self) -> dict[str, tuple[int, str]]:
        """Return the local URLs that did not answer 200, with the page linking to them."""
        return {
            url: (code, self.referrers.get(url, ""))
            for url, code in self.status.items()
            if code != 200
        }


def crawl(client: FlaskClient, start: str = "/") -> Crawl:
    """Follow every local link from a start page, breadth first, each URL once."""
    seen = Crawl()
    queue = deque([(start, 0)])
    seen.depth[start] = 0
    while queue:
        url, depth = queue.popleft()
        response = client.get(url, follow_redirects=True)
        seen.status[url] = response.status_code
        html = response.get_data(as_text=True)
        response.close()
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        seen.pages[url] = html
        for link in links_of(html):
            target = urljoin(url, link)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc:
                seen.external.add(target)
                continue
            local = parts.path + ("?" + parts.query if parts.query else "")
            if local not in seen.depth:
                seen.depth[local] = depth + 1
                seen.referrers[local] = url
                queue.append((local, depth + 1))
    return seen


def shipped_app() -> Flask:
    """Return the web app over the shipped graph, described as the build describes it."""
    from kg.graph.build import open_store

    store = open_store()
    describe(store, modified=BUILT_AT)
    return create_app(EmbeddedBackend(store), Settings(), {"TESTING": True})
