// The entity each id belongs to now: the entity of that id, or the entity a source record of that id is a record of.
// :param ids => ['5493001KJTIIGC8Y1R12']
UNWIND $ids AS id
CALL (id) {
  MATCH (e:Entity {id: id})
  USING INDEX e:Entity(id)
  RETURN e.id AS entity
  UNION
  MATCH (r:SourceRecord {record_id: id})-[:RECORD_OF]->(e:Entity)
  USING INDEX r:SourceRecord(record_id)
  RETURN e.id AS entity
}
RETURN id, entity
