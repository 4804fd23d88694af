"""Side-by-side benchmark of `kg serve`, `oxigraph serve` and rdflib-endpoint on news data."""
