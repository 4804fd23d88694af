"""What a version may be called, and where a release lives: its IRI, its path, its files.

A version is one path segment, so it can name a folder and a URL at once:

>>> check_version("2026.03")
'2026.03'
>>> release_iri("1.0.0")
'https://w3id.org/peru-ecuador-kg/release/1.0.0/'
"""

from __future__ import annotations

import re

from kg import iris
from kg.errors import BadRequest

VERSION_PATTERN = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62}[A-Za-z0-9])?")
"""Letters, digits, dots, dashes and underscores, starting and ending with a letter or digit."""

LATEST = "latest"
"""Not a version: /release/latest/ redirects to the newest release."""

RELEASE_NS = iris.BASE + "release/"

DATASET_TRIG = "dataset.trig"
DATASET_NQUADS = "dataset.nq"
DATASET_TURTLE = "dataset.ttl"
DATASET_JSONLD = "dataset.jsonld"
ONTOLOGY_FILE = "ontology.ttl"
PATCH_FILE = "changes.rdfp"
SUMMARY_FILE = "CHANGES.md"
DESCRIPTION_FILE = "description.ttl"
CHECKSUMS_FILE = "SHA256SUMS"

MEDIA_TYPES = {
    DATASET_TRIG: "application/trig",
    DATASET_NQUADS: "application/n-quads",
    DATASET_TURTLE: "text/turtle",
    DATASET_JSONLD: "application/ld+json",
    ONTOLOGY_FILE: "text/turtle",
    PATCH_FILE: "application/rdf-patch",
    SUMMARY_FILE: "text/markdown",
    DESCRIPTION_FILE: "text/turtle",
    CHECKSUMS_FILE: "text/plain",
}
"""Every file a release holds, with the media type it is served as."""


class ReleaseError(BadRequest):
    """A release cannot be made, read or served as asked; the message says why and what to do."""

    title = "Release error"


def check_version(version: str) -> str:
    """Return the version if it can name a folder and a URL path segment, else say why not."""
    if version.lower() == LATEST:
        raise ReleaseError(f"{version!r} is reserved: /release/latest/ is the newest release")
    if not VERSION_PATTERN.fullmatch(version) or ".." in version:
        raise ReleaseError(
            f"{version!r} is not a valid version: use 1 to 64 letters, digits, '.', '-' or '_', "
            "starting and ending with a letter or digit (e.g. 1.0.0 or 2026-03-01)"
        )
    return version


def release_iri(version: str) -> str:
    """Return the IRI of a release (a folder: its files are relative to it)."""
    return f"{RELEASE_NS}{version}/"


def file_iri(version: str, name: str) -> str:
    """Return the IRI of one file of a release."""
    return release_iri(version) + name


def ontology_version_iri(version: str) -> str:
    """Return the ontology's owl:versionIRI in a release: the release's ontology file itself."""
    return file_iri(version, ONTOLOGY_FILE)
