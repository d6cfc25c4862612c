// One id range of the materialised control, for whole-graph jobs: of the entities after $after up to $upto
// (none: to the end), the control statuses as [id, status] pairs (entities without one left out) and the
// relationships of one ruleset out of them, each [type, target, controller, definite, group, element id],
// as one list per entity (empty for most).
// :param after => ''
// :param upto => null
// :param ruleset => 'majority'
MATCH (t:Entity)
WHERE t.id > $after AND ($upto IS NULL OR t.id <= $upto)
RETURN collect(CASE WHEN t.control_status IS NULL THEN null ELSE [t.id, t.control_status] END) AS statuses,
       collect([(t)-[r:CONTROLLED_BY|ULTIMATELY_CONTROLLED_BY]->(c:Entity) WHERE r.ruleset = $ruleset |
                [type(r), t.id, c.id, r.definite, r.group, elementId(r)]]) AS rels
