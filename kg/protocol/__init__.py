"""The SPARQL 1.1 Protocol as pure functions: read a request, choose a response format."""
