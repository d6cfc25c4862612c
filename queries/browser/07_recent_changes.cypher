// What changed lately: the change feed's newest records, with the entity and the load or refresh that caused them.
// :param since => datetime() - duration('P7D')
MATCH (c:ControlChange)-[:CHANGE_OF]->(e:Entity)
WHERE c.computed_at >= $since
OPTIONAL MATCH (c)-[:CAUSED_BY]->(l:Load)
RETURN c.seq AS seq, e.id AS id, e.name AS name, e.founded AS founded, c.status_before AS before,
       c.status_after AS after, c.after AS answer, c.cause AS cause, l.id AS source, c.effective AS effective
ORDER BY c.seq DESC
LIMIT 100
