// Create source records new to the graph (no record of their key exists), each linked to the entity it is
// a record of. Cheaper than merge_source_records: no lookup of the record, no old link to remove.
// :param rows => [{key: 'bods:x\u001fabc', entity: 'abc', props: {key: 'bods:x\u001fabc', record_id: 'abc', loaded_from: 'bods:x', name: 'A'}}]
UNWIND $rows AS row
MERGE (e:Entity {id: row.entity})
CREATE (r:SourceRecord)
SET r = row.props
CREATE (r)-[:RECORD_OF]->(e)
