// Entities with their own properties and every source record of each (what resolution clusters and combines).
// :param ids => ['5493001KJTIIGC8Y1R12']
UNWIND $ids AS id
MATCH (e:Entity {id: id})
USING INDEX e:Entity(id)
RETURN e.id AS entity, properties(e) AS props,
       COLLECT { MATCH (r:SourceRecord)-[:RECORD_OF]->(e) RETURN properties(r) } AS records
