// Where an entity comes from: each source's record of it, with the load that wrote it.
// :param id => '529900OU45EJZAH9OM37'
MATCH (r:SourceRecord)-[:RECORD_OF]->(:Entity {id: $id})
RETURN r {.*} AS record
ORDER BY r.record_id, r.key
