// One step upstream of a frontier: every OWNS / CONTROLS edge into it and every ACTS_IN_CONCERT link touching it.
// :param ids => ['qh-project-a']
// :param limit => 200000
MATCH (t:Entity)
WHERE t.id IN $ids
CALL (t) {
  MATCH (o:Entity)-[r:OWNS|CONTROLS]->(t)
  RETURN o.id AS from_id, t.id AS to_id, type(r) AS type, properties(r) AS props
  UNION ALL
  MATCH (t)-[r:ACTS_IN_CONCERT]-(o:Entity)
  RETURN startNode(r).id AS from_id, endNode(r).id AS to_id, type(r) AS type, properties(r) AS props
}
RETURN from_id, to_id, type, props
LIMIT $limit
