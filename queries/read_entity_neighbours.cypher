// An entity with one page of its direct owners and one of its direct holdings in force at a date, largest stake
// first, and how many there are in all: a hub's thousands of stakes are never read whole.
// :param id => 'qh-project-a'
// :param as_of => date('2024-06-30')
// :param offset => 0
// :param limit => 100
MATCH (e:Entity {id: $id})
RETURN e {.*} AS entity,
       COLLECT {
         MATCH (o:Entity)-[r:OWNS]->(e)
         WHERE (r.start IS NULL OR r.start <= $as_of) AND (r.end IS NULL OR r.end > $as_of)
         WITH o, r ORDER BY coalesce(r.share, r.share_min, 0.0) DESC, o.id SKIP $offset LIMIT $limit
         RETURN {entity: o {.*}, props: properties(r)}
       } AS owners,
       COUNT {
         MATCH (o:Entity)-[r:OWNS]->(e)
         WHERE (r.start IS NULL OR r.start <= $as_of) AND (r.end IS NULL OR r.end > $as_of)
       } AS owners_total,
       COLLECT {
         MATCH (e)-[r:OWNS]->(h:Entity)
         WHERE (r.start IS NULL OR r.start <= $as_of) AND (r.end IS NULL OR r.end > $as_of)
         WITH h, r ORDER BY coalesce(r.share, r.share_min, 0.0) DESC, h.id SKIP $offset LIMIT $limit
         RETURN {entity: h {.*}, props: properties(r)}
       } AS holdings,
       COUNT {
         MATCH (e)-[r:OWNS]->(h:Entity)
         WHERE (r.start IS NULL OR r.start <= $as_of) AND (r.end IS NULL OR r.end > $as_of)
       } AS holdings_total
