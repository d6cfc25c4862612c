// The parties acting in concert with some entities (control of what either holds depends on both).
// :param ids => ['con-c1']
MATCH (a:Entity)-[:ACTS_IN_CONCERT]-(b:Entity)
WHERE a.id IN $ids
RETURN DISTINCT b.id AS id
