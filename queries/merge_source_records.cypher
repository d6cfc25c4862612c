// Create or update each source's record of an entity, linked to the entity it is a record of now.
// :param rows => [{key: 'bods:x\u001fabc', entity: 'abc', props: {key: 'bods:x\u001fabc', record_id: 'abc', loaded_from: 'bods:x', name: 'A'}}]
UNWIND $rows AS row
MERGE (e:Entity {id: row.entity})
MERGE (r:SourceRecord {key: row.key})
SET r = row.props
WITH r, e
CALL (r, e) {
  MATCH (r)-[old:RECORD_OF]->(other:Entity)
  WHERE other <> e
  DELETE old
}
MERGE (r)-[:RECORD_OF]->(e)
