// Every edge that control and ownership are computed from (for the whole-graph computation).
MATCH (a:Entity)-[r:OWNS|CONTROLS|ACTS_IN_CONCERT]->(b:Entity)
RETURN a.id AS from_id, b.id AS to_id, type(r) AS type, properties(r) AS props
