"""The one place where the project's IRIs are defined; every minted IRI is built from BASE."""

BASE = "https://w3id.org/peru-ecuador-kg/"

ONTOLOGY = BASE + "ontology"
ONTOLOGY_NS = BASE + "ontology/"
SHAPES_NS = BASE + "shapes/"
ID_NS = BASE + "id/"
GRAPH_NS = BASE + "graph/"

ONTOLOGY_GRAPH = GRAPH_NS + "ontology"
VERIFIED_GRAPH = GRAPH_NS + "verified"
REVIEWS_GRAPH = GRAPH_NS + "reviews"
WIKIDATA_GRAPH = GRAPH_NS + "wikidata"
VOID_GRAPH = GRAPH_NS + "void"

ENDPOINT = BASE + "sparql"
"""The SPARQL endpoint's published IRI: the base of relative IRIs in queries and updates."""

WIKIDATA_SPARQL = "https://query.wikidata.org/sparql"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"


def is_minted(iri: str) -> bool:
    """Tell whether an IRI belongs to this project's namespace."""
    return iri.startswith(BASE)


def path_of(iri: str) -> str:
    """Return the server path ("/id/jose-jeri") that dereferences a minted IRI."""
    if not is_minted(iri):
        raise ValueError(f"{iri} is not minted by this project")
    return "/" + iri[len(BASE) :]


def iri_of(path: str) -> str:
    """Return the minted IRI that a server path ("/id/jose-jeri") stands for."""
    return BASE + path.lstrip("/")
