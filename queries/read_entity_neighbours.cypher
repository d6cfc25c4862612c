// An entity with its direct owners and direct holdings.
// :param id => 'qh-project-a'
MATCH (e:Entity {id: $id})
OPTIONAL MATCH (o:Entity)-[r:OWNS]->(e)
WITH e, collect(CASE WHEN o IS NULL THEN NULL ELSE {entity: o {.*}, props: properties(r)} END) AS owners
OPTIONAL MATCH (e)-[r2:OWNS]->(h:Entity)
RETURN e {.*} AS entity, owners,
       collect(CASE WHEN h IS NULL THEN NULL ELSE {entity: h {.*}, props: properties(r2)} END) AS holdings
