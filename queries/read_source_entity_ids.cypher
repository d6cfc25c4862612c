// The entities a source gave records of (candidates are looked for around one load).
// :param source => 'registry-csv:delta-2026-12-02'
// :param limit => 10000
MATCH (r:SourceRecord {loaded_from: $source})-[:RECORD_OF]->(e:Entity)
RETURN DISTINCT e.id AS id
LIMIT $limit
