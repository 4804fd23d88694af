"""Locate the files the package ships: ontology, queries and data."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = PACKAGE_DIR / "data"


def shipped_dir(name: str) -> Path:
    """Return a top-level project folder ("ontology", "queries"), installed or in a checkout.

    A wheel carries the folder inside the package; a source checkout keeps it beside ``kg/``.
    """
    installed = PACKAGE_DIR / name
    if installed.is_dir():
        return installed
    checkout = PACKAGE_DIR.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"the {name}/ folder is missing from both {installed} and {checkout}")


def ontology_dir() -> Path:
    """Return the folder holding the ontology and the SHACL shapes."""
    return shipped_dir("ontology")


def queries_dir() -> Path:
    """Return the folder holding the example and check queries."""
    return shipped_dir("queries")
