// Record on entities the status of their materialised control answer (null removes it).
// :param rows => [{id: 'ph-qh-dc-project-1', status: 'controlled'}]
// :param ruleset => 'majority'
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
SET e.control_status = row.status, e.control_ruleset = CASE WHEN row.status IS NULL THEN null ELSE $ruleset END
