"""Where the tests' own data files live."""

from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
SAMPLE = DATA / "sample.trig"
"""Three W3C protocol test graphs and a small graph of example people (8 triples, 4 graphs)."""
