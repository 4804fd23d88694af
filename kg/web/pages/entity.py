"""Dereference the IRIs the project mints: HTML for people; Turtle, JSON-LD, N-Triples for machines.

The request path is the IRI's path under the one base IRI (``kg.iris.iri_of``), so the pages work
whatever host serves them.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, render_template, request
from pyoxigraph import RdfFormat, parse, serialize

from kg import iris
from kg.errors import NotFound
from kg.export import NTRIPLES, PREFIXED, prefixed
from kg.formats import by_media_type
from kg.graph.void import DATASET
from kg.jsonld import compact
from kg.release.catalog import Release, catalog_triples
from kg.vocab import DCTERMS
from kg.web import served_releases, services
from kg.web.pages import entity_data, example_answer, oneline, ontology, provenance, reviews, search
from kg.web.pages.labels import language_of
from kg.web.pages.links import PATH_SAFE
from kg.web.pages.reader import Reader, checked_iri
from kg.web.pages.representations import HTML, choose, link_header, split_suffix, suffix_of
from kg.web.streaming import with_charset

blueprint = Blueprint("entity", __name__)

IS_REPLACED_BY = DCTERMS + "isReplacedBy"


def exists(reader: Reader, iri: str) -> bool:
    """Tell whether the graph mentions an IRI as subject, object or graph name."""
    node = checked_iri(iri)
    graph = checked_iri(entity_data.documented_graph(iri))
    return reader.ask(
        f"ASK {{ {{ {node} ?p ?o }} UNION {{ ?s ?p {node} }} "
        f"UNION {{ GRAPH {graph} {{ ?a ?b ?c }} }} }}"
    )


def description_query(iri: str) -> str:
    """Return the CONSTRUCT that gives an IRI's RDF twin: its facts, incoming links, its graph."""
    node = checked_iri(iri)
    graph = checked_iri(entity_data.documented_graph(iri))
    return (
        f"CONSTRUCT {{ {node} ?p ?o . ?o ?p2 ?o2 . ?s ?q {node} . ?gs ?gp ?go }} WHERE {{ "
        f"{{ {node} ?p ?o OPTIONAL {{ FILTER(isBlank(?o)) ?o ?p2 ?o2 }} }} "
        f"UNION {{ ?s ?q {node} }} UNION {{ GRAPH {graph} {{ ?gs ?gp ?go }} }} }}"
    )


def replacement(reader: Reader, iri: str) -> str | None:
    """Return the minted IRI that replaces a moved one (dcterms:isReplacedBy), if only one does."""
    rows = reader.select(
        f"SELECT DISTINCT ?new WHERE {{ {checked_iri(iri)} <{IS_REPLACED_BY}> ?new "
        "FILTER(isIRI(?new)) } LIMIT 2"
    )
    found = [row["new"].value for row in rows]
    return found[0] if len(found) == 1 and iris.is_minted(found[0]) else None


def not_found_page(reader: Reader, iri: str, language: str) -> Response:
    """Render the 404 page for an IRI the graph does not know, with nearby IRIs to try."""
    body = render_template(
        "not_found.html", iri=iri, suggestions=search.similar(reader, iri, language)
    )
    return Response(body, status=404, mimetype="text/html")


def rdf_response(
    reader: Reader, iri: str, path: str, media_type: str, negotiated: bool
) -> Response:
    """Serialize an IRI's description in an RDF format."""
    if not exists(reader, iri):
        raise NotFound(f"the graph says nothing about <{iri}>; see / for what it holds")
    published = served_releases().catalog.releases() if iri == DATASET else []
    body = described(reader, iri, media_type, published)
    response = Response(body, content_type=with_charset(media_type))
    if negotiated:
        response.headers["Content-Location"] = quote(path, safe=PATH_SAFE) + suffix_of(media_type)
    return response


def described(reader: Reader, iri: str, media_type: str, published: list[Release]) -> bytes:
    """Write an IRI's description as the downloads are written, the dataset with its releases.

    Each triple once; Turtle with the prefixes it uses (``pek:``, ``schema:`` ...); JSON-LD
    compacted with the project's @context. The releases are the dataset's versions (DCAT).
    """
    found = reader.construct(description_query(iri), NTRIPLES).read_all()
    unique = dict.fromkeys(parse(found, format=RdfFormat.N_TRIPLES))
    triples = [*unique, *catalog_triples(published)]
    plain = serialize(triples, format=RdfFormat.N_TRIPLES) or b""
    fmt = by_media_type(media_type, "rdf")
    if fmt.name == "jsonld":
        return compact(plain)
    if fmt.name in PREFIXED:
        return prefixed(plain, fmt)
    return plain


def ontology_page(reader: Reader, language: str) -> Response:
    """Render the ontology's documentation page."""
    found = ontology.document(reader, language)
    body = render_template(
        "ontology.html",
        header=found.header,
        classes=found.classes,
        properties=found.properties,
        labels=found.labels,
        ontology=iris.ONTOLOGY,
    )
    return Response(body, mimetype="text/html")


def html_response(reader: Reader, examples: Path | None, iri: str, language: str) -> Response:
    """Render an IRI's HTML page (the ontology IRI gets the ontology documentation)."""
    if iri == iris.ONTOLOGY:
        return ontology_page(reader, language)
    entity = entity_data.describe(reader, iri, language)
    if not entity.exists:
        return not_found_page(reader, iri, language)
    sources = provenance.sources(reader, entity)
    entity.labels.extend(set().union(*(source.mentioned for source in sources)))
    # Only a claim with a sentence can have reviewed statements: those of the sources.
    restriction = reviews.concerning(iri, {c for source in sources for c in source.claims})
    cards = reviews.cards(reader, restriction, entity.labels)
    published = served_releases().catalog.releases()[::-1]
    body = render_template(
        "entity.html",
        entity=entity,
        line=oneline.lines(reader, [iri], entity.labels).get(iri),
        provenance=sources,
        cards=[c for c in cards if c.status_name != "confirmed"],
        confirmed=[c for c in cards if c.status_name == "confirmed"],
        sourced={claim: n for n, s in enumerate(sources, 1) for claim in s.claims},
        example=example_answer.answer(reader, examples, iri, language),
        releases=published if iri == DATASET else [],
        has_releases=bool(published),
    )
    return Response(body, mimetype="text/html")


def redirect(target_iri: str, forced: str | None, status: int) -> Response:
    """Redirect to another minted IRI's path, keeping the format suffix and the query string."""
    target = quote(iris.path_of(target_iri), safe=PATH_SAFE) + (suffix_of(forced) if forced else "")
    query = request.query_string.decode("latin-1")
    return Response(status=status, headers={"Location": target + ("?" + query if query else "")})


def dereference(path: str) -> Response:
    """Answer a request for a minted IRI's path, honouring a format suffix or the Accept header."""
    base_path, forced = split_suffix(path)
    iri = iris.iri_of(base_path)
    if iri == iris.ONTOLOGY_NS:
        # The namespace of the ontology's terms is documented by the ontology itself.
        return redirect(iris.ONTOLOGY, forced, 303)
    found = services()
    reader = Reader(found)
    moved_to = replacement(reader, iri)
    if moved_to is not None:
        # A moved resource keeps resolving: permanently, at its new IRI.
        return redirect(moved_to, forced, 301)
    media_type = forced or choose(request.headers.get("Accept"))
    language = language_of(request.args.get("lang"))
    if media_type == HTML:
        response = html_response(reader, found.settings.examples, iri, language)
    else:
        response = rdf_response(reader, iri, base_path, media_type, negotiated=forced is None)
    response.headers["Link"] = link_header(quote(base_path, safe=PATH_SAFE))
    if forced is None:
        response.vary.add("Accept")
    return response


@blueprint.get("/id/<path:rest>")
@blueprint.get("/graph/<path:rest>")
@blueprint.get("/ontology/<path:rest>")
@blueprint.get("/ontology/")
@blueprint.get("/ontology")
@blueprint.get("/ontology.<rest>")
def resource(rest: str = "") -> Response:
    """Dereference any minted IRI."""
    return dereference(request.path)
