// Everything upstream of some entities (themselves included) through OWNS and CONTROLS, each entity once,
// with every OWNS / CONTROLS edge into it and every ACTS_IN_CONCERT link touching it: one round trip.
// DISTINCT end nodes per start let the planner prune the variable-length expansion (breadth-first, no path
// enumeration); that pruning is distinct per start only, so the DISTINCT outside the subquery makes them unique.
// :param ids => ['ph-qh-dc-project-1']
// :param limit => 50001
MATCH (t:Entity)
WHERE t.id IN $ids
CALL (t) { MATCH (t)<-[:OWNS|CONTROLS*0..100]-(a:Entity) RETURN DISTINCT a }
WITH DISTINCT a
LIMIT $limit  // the node budget, inside the database: a hub's closure is never read whole
RETURN a {.*} AS entity,
       COLLECT {
         MATCH (o:Entity)-[r:OWNS|CONTROLS]->(a)
         RETURN {from_id: o.id, to_id: a.id, type: type(r), props: properties(r)}
       } + COLLECT {
         MATCH (a)-[r:ACTS_IN_CONCERT]-(:Entity)
         RETURN {from_id: startNode(r).id, to_id: endNode(r).id, type: type(r), props: properties(r)}
       } AS edges
