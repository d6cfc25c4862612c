// The entity each id belongs to when it is a source's record id of another entity (resolution merged it).
// :param ids => ['ent-fosun-fashion']
UNWIND $ids AS id
MATCH (r:SourceRecord {record_id: id})-[:RECORD_OF]->(e:Entity)
USING INDEX r:SourceRecord(record_id)
WHERE e.id <> id
RETURN DISTINCT id, e.id AS entity
