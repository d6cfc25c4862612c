// The materialised control relationships of one ruleset, with their element ids (to update them as a diff).
// :param ruleset => 'majority'
MATCH (t:Entity)-[r:CONTROLLED_BY|ULTIMATELY_CONTROLLED_BY]->(c:Entity)
WHERE r.ruleset = $ruleset
RETURN type(r) AS type, t.id AS target, c.id AS controller, r.definite AS definite, r.group AS group,
       elementId(r) AS element_id
