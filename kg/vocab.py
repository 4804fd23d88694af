"""The namespaces the project reads and writes, and the one table of prefixes for them.

Project IRIs are built in :mod:`kg.iris`; everything else (W3C vocabularies, schema.org,
Wikidata) is named here once, so a namespace is never spelled in two places.

>>> RDF + "type"
'http://www.w3.org/1999/02/22-rdf-syntax-ns#type'
>>> compact("https://schema.org/Claim")
'schema:Claim'
"""

from __future__ import annotations

from kg import iris

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
SCHEMA = "https://schema.org/"
SCHEMA_HTTP = "http://schema.org/"
"""schema.org under http, which older data still uses; read beside SCHEMA, never written."""
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
DCTERMS = "http://purl.org/dc/terms/"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
TIME = "http://www.w3.org/2006/time#"
QUDT = "http://qudt.org/schema/qudt/"
UNIT = "http://qudt.org/vocab/unit/"
CURRENCY = "http://qudt.org/vocab/currency/"
VOID = "http://rdfs.org/ns/void#"
SD = "http://www.w3.org/ns/sparql-service-description#"
SH = "http://www.w3.org/ns/shacl#"
FOAF = "http://xmlns.com/foaf/0.1/"
NANOPUB = "http://www.nanopub.org/nschema#"
FORMATS = "http://www.w3.org/ns/formats/"
WD = iris.WIKIDATA_ENTITY
WDT = "http://www.wikidata.org/prop/direct/"
P = "http://www.wikidata.org/prop/"
PS = "http://www.wikidata.org/prop/statement/"
PQ = "http://www.wikidata.org/prop/qualifier/"
PQV = "http://www.wikidata.org/prop/qualifier/value/"
WIKIBASE = "http://wikiba.se/ontology#"
DCAT = "http://www.w3.org/ns/dcat#"
ADMS = "http://www.w3.org/ns/adms#"
SPDX = "http://spdx.org/rdf/terms#"

RDF_TYPE = RDF + "type"
RDFS_LABEL = RDFS + "label"
RDFS_COMMENT = RDFS + "comment"
OWL_SAME_AS = OWL + "sameAs"
XSD_STRING = XSD + "string"
XSD_BOOLEAN = XSD + "boolean"

PREFIXES: dict[str, str] = {
    "pek": iris.ONTOLOGY_NS,
    "id": iris.ID_NS,
    "graph": iris.GRAPH_NS,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "schema": SCHEMA,
    "sem": SEM,
    "time": TIME,
    "qudt": QUDT,
    "unit": UNIT,
    "cur": CURRENCY,
    "oa": OA,
    "np": NANOPUB,
    "void": VOID,
    "sd": SD,
    "sh": SH,
    "foaf": FOAF,
    "wd": WD,
    "wdt": WDT,
    "p": P,
    "ps": PS,
    "pq": PQ,
    "wikibase": WIKIBASE,
}
"""The project's prefixes: the JSON-LD @context, the pages' prefixed names, query prologues."""


def sparql_prologue(*names: str) -> str:
    """Return the PREFIX declarations of some of the project's prefixes, one a line.

    >>> print(sparql_prologue("rdfs", "schema"))
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX schema: <https://schema.org/>
    """
    return "\n".join(f"PREFIX {name}: <{PREFIXES[name]}>" for name in names)


def compact(iri: str) -> str:
    """Return a prefixed name for an IRI when a known namespace fits, else the IRI itself.

    The longest namespace wins; schema.org under http reads as ``schema:`` too.

    >>> compact("http://schema.org/name"), compact("urn:x")
    ('schema:name', 'urn:x')
    """
    if iri.startswith(SCHEMA_HTTP):
        iri = SCHEMA + iri[len(SCHEMA_HTTP) :]
    best = max(
        (prefix for prefix, namespace in PREFIXES.items() if iri.startswith(namespace)),
        key=lambda prefix: len(PREFIXES[prefix]),
        default=None,
    )
    if best is None:
        return iri
    return f"{best}:{iri[len(PREFIXES[best]) :]}"
