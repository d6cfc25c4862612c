// Every entity (for the whole-graph control computation).
MATCH (e:Entity)
RETURN e {.*} AS entity
