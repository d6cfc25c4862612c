// The change feed, newest first: what a materialisation changed per entity, paged by sequence number.
// A backwards scan of the seq index; the since/until window stops it early.
// :param before_seq => 9223372036854775807
// :param since => datetime('2026-12-01T00:00:00Z')
// :param until => null
// :param limit => 50
MATCH (c:ControlChange)
WHERE c.seq < $before_seq
  AND ($since IS NULL OR c.computed_at >= $since)
  AND ($until IS NULL OR c.computed_at <= $until)
WITH c
ORDER BY c.seq DESC
LIMIT $limit
MATCH (c)-[:CHANGE_OF]->(e:Entity)
RETURN c {.*} AS change, e.name AS name, e.kind AS kind, e.founded AS founded
ORDER BY c.seq DESC
