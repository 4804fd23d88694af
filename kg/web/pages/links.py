"""Links and language for every page: the helpers templates call, and the reader's language."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from flask import request

from kg import iris
from kg.graph.void import Example
from kg.vocab import compact
from kg.web.pages.dates import spoken
from kg.web.pages.labels import DEFAULT_LANGUAGE, language_of
from kg.web.pages.reader import Term
from kg.web.pages.representations import REPRESENTATIONS
from kg.web.security import linkable

PATH_SAFE = "/:@!$&'()*+,;=-._~%"
"""What stays as is when a path is percent-encoded for a link or a header (Latin-1 only)."""


def current_language() -> str:
    """Return the language the reader asked for with ?lang=."""
    return language_of(request.args.get("lang"))


def local(path: str) -> str:
    """Return a local link that keeps the reader's language."""
    language = current_language()
    if language == DEFAULT_LANGUAGE:
        return path
    fragment = ""
    if "#" in path:
        path, fragment = path.split("#", 1)
        fragment = "#" + fragment
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}lang={language}{fragment}"


def href(iri: str) -> str:
    """Return where a link to an IRI goes: the local page for minted IRIs, else the IRI."""
    if iris.is_minted(iri):
        return local(quote(iris.path_of(iri), safe=PATH_SAFE))
    return iri if linkable(iri) else "#"


def switch_lang(code: str) -> str:
    """Return the current page in another language."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    if code != DEFAULT_LANGUAGE:
        args["lang"] = code
    query = urlencode(args)
    return request.path + ("?" + query if query else "")


def page_helpers() -> dict[str, Any]:
    """Give every template the link, label and language helpers (a context processor)."""
    language = current_language()

    def t(english: str, spanish: str) -> str:
        return spanish if language == "es" else english

    def example_title(example: Example) -> str:
        return example.title_es if language == "es" and example.title_es else example.title

    def spoken_here(term: Term) -> str:
        return spoken(term, language)

    return {
        "lang": language,
        "t": t,
        "example_title": example_title,
        "spoken": spoken_here,
        "local": local,
        "href": href,
        "switch_lang": switch_lang,
        "is_minted": iris.is_minted,
        "path_of": iris.path_of,
        "compact": compact,
        "representations": REPRESENTATIONS,
        "base_iri": iris.BASE,
    }
