// Re-point the edges of one entity whose end at it belongs to a record that moved to another entity
// (moves: record id -> entity id). The record an edge was loaded for stays on it (from_record / to_record)
// when it differs from the entity, so a later split can move it back. Returns the entities whose
// incoming edges changed.
// :param id => 'absorbed-id'
// :param moves => {`absorbed-id`: 'canonical-id'}
MATCH (e:Entity {id: $id})
CALL (e) {
  MATCH (e)-[r:OWNS|CONTROLS|ACTS_IN_CONCERT|LINK|REPORTED]->(o:Entity)
  WITH e, r, o, coalesce(r.from_record, e.id) AS rec
  WITH e, r, o, rec, $moves[rec] AS target
  WHERE target IS NOT NULL
  MATCH (t:Entity {id: target})
  WITH r, rec, target, t, CASE WHEN o = e THEN t ELSE o END AS other
  CREATE (t)-[n:$(type(r))]->(other)
  SET n = properties(r), n.from_record = CASE WHEN rec = target THEN null ELSE rec END
  DELETE r
  RETURN [other.id, t.id] AS touched
  UNION
  MATCH (e)<-[r:OWNS|CONTROLS|ACTS_IN_CONCERT|LINK|REPORTED]-(o:Entity)
  WHERE o <> e
  WITH e, r, o, coalesce(r.to_record, e.id) AS rec
  WITH r, o, rec, $moves[rec] AS target
  WHERE target IS NOT NULL
  MATCH (t:Entity {id: target})
  CREATE (o)-[n:$(type(r))]->(t)
  SET n = properties(r), n.to_record = CASE WHEN rec = target THEN null ELSE rec END
  DELETE r
  RETURN [o.id, t.id] AS touched
}
UNWIND touched AS id
RETURN DISTINCT id
