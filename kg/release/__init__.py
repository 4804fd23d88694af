"""Dated releases of the graph, what changed between them, and backups of an on-disk store.

- ``names``: what a version may be called, and the IRIs and paths of a release;
- ``canonical``: blank nodes labelled by what they describe, so an unchanged graph diffs empty;
- ``patch``: the changes between two releases as RDF Patch, written, read and applied;
- ``summary``: the changes people read (articles, claims, verdicts, Wikidata links);
- ``describe``: the DCAT/VoID description of a release and the versioned ontology;
- ``catalog``: the releases found in a folder, their order and their files;
- ``publish``: ``kg release``: build, check, then write a release whole or not at all;
- ``history``: since which release a statement has been in the graph;
- ``serving``: the releases a server offers, each queried through its own store;
- ``backup``, ``restore``: ``kg backup`` and ``kg restore`` of an on-disk store.
"""
