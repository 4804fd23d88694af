"""Wikidata: the pinned extract, the live client, SERVICE resolution, refresh and candidates."""
