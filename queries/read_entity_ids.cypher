// Entity ids in id order, from after a given one (a bounded scan of the whole graph).
// :param after => ''
// :param limit => 10000
MATCH (e:Entity)
WHERE e.id > $after
RETURN e.id AS id
ORDER BY e.id
LIMIT $limit
