-- Prepare a new Virtuoso 7.2 database to hold the knowledge graph (README, "Scaling out").
-- Run once, as dba, before the first push:  isql-vt 1111 dba PASSWORD scripts/virtuoso-setup.sql
--
-- Without FROM, a Virtuoso query ranges over every graph it may read, which is the union of named
-- graphs the app needs, but a new database already holds about 2,500 triples of its own (its
-- quad-map metadata, the service description, LDP and WebDAV terms). Making those graphs private
-- hides them from the anonymous user ("nobody") without removing anything Virtuoso needs.
DB.DBA.RDF_GRAPH_GROUP_CREATE ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 1);
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.openlinksw.com/schemas/virtrdf#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.w3.org/ns/ldp#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://localhost:8890/sparql');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://localhost:8890/DAV/');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.w3.org/2002/07/owl#');
-- Anonymous readers see no private graph and may read every other one.
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1, 0);
-- Anonymous writes through /sparql and /sparql-graph-crud, as the tests use them: only on a port
-- nobody else can reach. Elsewhere leave these two lines out and write through /sparql-auth with
-- --store-auth 'Digest USER:PASSWORD', USER being granted SPARQL_UPDATE (README).
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7, 0);
GRANT SPARQL_UPDATE TO "SPARQL";
checkpoint;
