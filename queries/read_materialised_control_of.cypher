// The materialised control relationships of some targets in one ruleset, with their element ids.
// :param ids => ['ph-qh-dc-project-1']
// :param ruleset => 'majority'
UNWIND $ids AS id
MATCH (t:Entity {id: id})-[r:CONTROLLED_BY|ULTIMATELY_CONTROLLED_BY]->(c:Entity)
WHERE r.ruleset = $ruleset
RETURN type(r) AS type, t.id AS target, c.id AS controller, r.definite AS definite, r.group AS group,
       elementId(r) AS element_id
