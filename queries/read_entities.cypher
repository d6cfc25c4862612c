// Entities by id.
// :param ids => ['qh-borong-group']
MATCH (e:Entity)
WHERE e.id IN $ids
RETURN e {.*} AS entity
