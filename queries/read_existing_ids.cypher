// Which of some ids are in the graph (a delta's references to what was loaded before): an entity's id,
// or the id a source gave a record that resolution made part of an entity.
// :param ids => ['qh-borong-group']
UNWIND $ids AS id
WITH id
WHERE EXISTS { MATCH (:Entity {id: id}) } OR EXISTS { MATCH (:SourceRecord {record_id: id}) }
RETURN id
