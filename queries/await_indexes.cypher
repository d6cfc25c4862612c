// Wait until every index is online (after the schema is applied or a store imported).
CALL db.awaitIndexes($seconds)
