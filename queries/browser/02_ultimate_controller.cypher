// Who ultimately controls an entity (the materialised answer of the control engine, with its status and date).
// :param id => 'ph-qh-dc-project-1'
MATCH (e:Entity {id: $id})
OPTIONAL MATCH (e)-[r:ULTIMATELY_CONTROLLED_BY]->(c:Entity)
OPTIONAL MATCH (run:ControlRun {ruleset: coalesce(r.ruleset, 'majority')})
RETURN e.id AS id, e.name AS name, e.control_status AS status, run.as_of AS as_of,
       c.id AS controller_id, c.name AS controller, c.kind AS controller_kind,
       r.definite AS definite, r.group AS control_group, r.ruleset AS ruleset
