// Companies that came under a group since a day: new ultimate control by it, newest first (what a watchlist alerts on).
// :param controller => 'qh-borong-group'
// :param since => datetime() - duration('P30D')
MATCH (c:ControlChange)-[:CHANGE_OF]->(e:Entity)
WHERE c.computed_at >= $since AND $controller IN c.involved
MATCH (e)-[r:ULTIMATELY_CONTROLLED_BY]->(:Entity {id: $controller})
RETURN c.seq AS seq, e.id AS id, e.name AS name, e.founded AS founded, c.status_before AS before,
       c.status_after AS after, r.definite AS definite, c.effective AS effective
ORDER BY c.seq DESC
LIMIT 100
