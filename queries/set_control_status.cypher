// Record on each entity the status of its materialised control answer and when it was computed.
// :param rows => [{id: 'qh-project-a', status: 'controlled'}]
// :param ruleset => 'majority'
// :param as_of => date()
UNWIND $rows AS row
MATCH (e:Entity {id: row.id})
SET e.control_status = row.status, e.control_ruleset = $ruleset, e.control_as_of = $as_of
