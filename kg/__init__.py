"""peru-ecuador-kg: a knowledge graph of one news story, served as SPARQL and linked data."""

__version__ = "0.1.0"
