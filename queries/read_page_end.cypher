// Where a range of $skip + 1 entities after $after ends, for whole-graph reads split into id ranges: the id
// of that many-th entity after $after in id order (no row when fewer are left). Walks the id index only.
// :param after => ''
// :param skip => 999
MATCH (e:Entity)
WHERE e.id > $after
WITH e.id AS id ORDER BY id
SKIP $skip
LIMIT 1
RETURN id
