// One step downstream of a frontier: every OWNS / CONTROLS edge out of it.
// :param ids => ['cn-chn-energy']
// :param limit => 50001
MATCH (o:Entity)-[r:OWNS|CONTROLS]->(t:Entity)
WHERE o.id IN $ids
RETURN o.id AS from_id, t.id AS to_id, type(r) AS type, properties(r) AS props
LIMIT $limit
