// Where does this entity come from? Each source's record of it (by any of its ids), the load that wrote it, its identifiers.
// :param id => 'qh-borong-group'
MATCH (e:Entity)
WHERE e.id = $id OR EXISTS { MATCH (:SourceRecord {record_id: $id})-[:RECORD_OF]->(e) }
OPTIONAL MATCH (r:SourceRecord)-[:RECORD_OF]->(e)
OPTIONAL MATCH (l:Load {id: r.loaded_from})
RETURN e.id AS entity, e.name AS name, r.record_id AS record_id, r.name AS record_name,
       r.loaded_from AS source, l.format AS format, l.loaded_at AS loaded_at, r.identifiers AS identifiers,
       r.founded AS founded
ORDER BY source, record_id
