// Every entity, with only what the whole-graph control computation needs (id, kind, registered capital).
MATCH (e:Entity)
RETURN e.id AS id, e.kind AS kind, e.registered_capital AS registered_capital
