// Empty the database in batches of 10,000 nodes (a whole graph may not fit one transaction).
MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
