// One page of the materialised control, for whole-graph jobs: the entities after $after in id order
// (keyset paging on the id index) that have a control status or a materialised relationship, each with its
// status and its relationships of one ruleset as value lists; `last` is where the next page starts.
// :param after => ''
// :param limit => 1000
// :param ruleset => 'majority'
MATCH (t:Entity)
WHERE t.id > $after
  AND (t.control_status IS NOT NULL OR EXISTS { (t)-[:CONTROLLED_BY|ULTIMATELY_CONTROLLED_BY]->(:Entity) })
WITH t ORDER BY t.id
LIMIT $limit
RETURN collect([t.id, t.control_status,
                [(t)-[r:CONTROLLED_BY|ULTIMATELY_CONTROLLED_BY]->(c:Entity) WHERE r.ruleset = $ruleset |
                 [type(r), c.id, r.definite, r.group, elementId(r)]]]) AS rows,
       max(t.id) AS last
