// One entity becomes part of another: whatever still points at it (materialised control of the entities
// it controls, change records, watch links) points at the other, once; its own materialised answer goes
// (the other's is recomputed); then the node goes. Its data edges and records were moved before.
// :param id => 'absorbed-id'
// :param into => 'canonical-id'
MATCH (e:Entity {id: $id})
MATCH (t:Entity {id: $into})
CALL (e, t) {
  MATCH (x)-[r]->(e)
  WHERE x <> e AND type(r) <> 'RECORD_OF'
  CALL (x, r, t) {
    WITH x, r, t
    WHERE x <> t AND NOT EXISTS { MATCH (x)-[q]->(t) WHERE type(q) = type(r) AND properties(q) = properties(r) }
    CREATE (x)-[n:$(type(r))]->(t)
    SET n = properties(r)
  }
  DELETE r
}
CALL (e, t) {
  MATCH (e)-[r]->(y)
  WHERE y <> e AND NOT type(r) IN ['CONTROLLED_BY', 'ULTIMATELY_CONTROLLED_BY', 'IDENTIFIED_BY', 'RECORD_OF']
  CALL (y, r, t) {
    WITH y, r, t
    WHERE y <> t AND NOT EXISTS { MATCH (t)-[q]->(y) WHERE type(q) = type(r) AND properties(q) = properties(r) }
    CREATE (t)-[n:$(type(r))]->(y)
    SET n = properties(r)
  }
  DELETE r
}
DETACH DELETE e
