// The change feed of some entities (given, or founded in a window), newest first: from the entities, not the feed.
// :param entity_ids => null
// :param founded_from => date('2024-12-01')
// :param founded_to => date('2024-12-31')
// :param before_seq => 9223372036854775807
// :param since => null
// :param until => null
// :param limit => 50
CALL () {
  UNWIND coalesce($entity_ids, []) AS id
  MATCH (e:Entity {id: id})
  WHERE ($founded_from IS NULL OR e.founded >= $founded_from) AND ($founded_to IS NULL OR e.founded <= $founded_to)
  RETURN e
  UNION
  MATCH (e:Entity)
  WHERE $entity_ids IS NULL AND e.founded >= coalesce($founded_from, date('0001-01-01'))
    AND e.founded <= coalesce($founded_to, date('9999-12-31'))
  RETURN e
}
MATCH (c:ControlChange)-[:CHANGE_OF]->(e)
WHERE c.seq < $before_seq
  AND ($since IS NULL OR c.computed_at >= $since)
  AND ($until IS NULL OR c.computed_at <= $until)
RETURN c {.*} AS change, e.name AS name, e.kind AS kind, e.founded AS founded
ORDER BY c.seq DESC
LIMIT $limit
