// Every edge of any type between a set of entities and their direct neighbours (for the graph views).
// :param ids => ['qh-project-a']
// :param limit => 1200
MATCH (a:Entity)-[r:OWNS|CONTROLS|ACTS_IN_CONCERT|LINK]-(b:Entity)
WHERE a.id IN $ids
RETURN DISTINCT startNode(r).id AS from_id, endNode(r).id AS to_id, type(r) AS type, properties(r) AS props
LIMIT $limit
