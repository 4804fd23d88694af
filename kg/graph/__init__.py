"""The knowledge graph: ontology, article layers, Wikidata extract, and their checks."""
