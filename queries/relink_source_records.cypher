// Move source records to the entity they are a record of now (after a merge or a split).
// :param rows => [{key: 'bods:x\u001fabc', entity: 'other'}]
UNWIND $rows AS row
MATCH (r:SourceRecord {key: row.key})
MATCH (e:Entity {id: row.entity})
CALL (r, e) {
  MATCH (r)-[old:RECORD_OF]->(other:Entity)
  WHERE other <> e
  DELETE old
}
MERGE (r)-[:RECORD_OF]->(e)
