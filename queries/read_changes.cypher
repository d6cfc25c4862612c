// The change feed, newest first: what a materialisation changed per entity, filtered and paged by sequence number.
// :param before_seq => 9223372036854775807
// :param since => datetime('2026-12-01T00:00:00Z')
// :param until => datetime('2026-12-31T23:59:59Z')
// :param controller => null
// :param founded_from => null
// :param founded_to => null
// :param entity_ids => null
// :param limit => 50
MATCH (c:ControlChange)
WHERE c.seq < $before_seq
  AND ($since IS NULL OR c.computed_at >= $since)
  AND ($until IS NULL OR c.computed_at <= $until)
  AND ($controller IS NULL OR $controller IN c.involved)
  AND ($entity_ids IS NULL OR c.entity_id IN $entity_ids)
WITH c
ORDER BY c.seq DESC
MATCH (c)-[:CHANGE_OF]->(e:Entity)
WHERE ($founded_from IS NULL OR e.founded >= $founded_from)
  AND ($founded_to IS NULL OR e.founded <= $founded_to)
RETURN c {.*} AS change, e.name AS name, e.kind AS kind, e.founded AS founded
LIMIT $limit
