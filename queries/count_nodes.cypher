// Every node of the database, whatever its label (the bulk import runs on an empty database only).
MATCH (n) RETURN count(n) AS n
