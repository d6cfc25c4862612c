// The change feed of one controller (named before or after the change), newest first.
// INVOLVES carries ckey = controller id, a U+0001, and the seq zero-padded to 19 digits: one range of its index, read backwards.
// :param controller => 'qh-borong-group'
// :param before_seq => 9223372036854775807
// :param since => null
// :param until => null
// :param founded_from => null
// :param founded_to => null
// :param limit => 50
MATCH (c:ControlChange)-[i:INVOLVES]->(x:Entity)
USING INDEX i:INVOLVES(ckey)
WHERE i.ckey >= $controller + '\u0001' AND i.ckey < $controller + '\u0001' + right('0000000000000000000' + toString($before_seq), 19)
  AND x.id = $controller  // exact even for an id holding U+0001
WITH c, i
ORDER BY i.ckey DESC
MATCH (c)-[:CHANGE_OF]->(e:Entity)
WHERE ($since IS NULL OR c.computed_at >= $since)
  AND ($until IS NULL OR c.computed_at <= $until)
  AND ($founded_from IS NULL OR e.founded >= $founded_from)
  AND ($founded_to IS NULL OR e.founded <= $founded_to)
RETURN c {.*} AS change, e.name AS name, e.kind AS kind, e.founded AS founded
LIMIT $limit
