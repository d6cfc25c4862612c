// Held or controlled entities without a current stored answer (refilled after a whole recomputation).
// :param gen => 1
MATCH (e:Entity)
WHERE EXISTS { (e)<-[:OWNS|CONTROLS]-() }
  AND NOT EXISTS { MATCH (a:StoredAnswer {entity_id: e.id}) WHERE a.gen = $gen }
RETURN e.id AS id
ORDER BY id
