// Everything upstream of some entities (themselves included) through OWNS and CONTROLS, each entity once.
// DISTINCT end nodes let the planner prune the variable-length expansion (breadth-first, no path enumeration).
// :param ids => ['ph-qh-dc-project-1']
MATCH (t:Entity)
WHERE t.id IN $ids
MATCH (t)<-[:OWNS|CONTROLS*0..100]-(a:Entity)
RETURN DISTINCT a {.*} AS entity
