// Everything some entities hold or control through any chain of OWNS and CONTROLS (themselves included), each once.
// DISTINCT end nodes per start let the planner prune the variable-length expansion (breadth-first, no path
// enumeration); that pruning is distinct per start only, so the DISTINCT outside the subquery makes them unique.
// :param ids => ['cn-chn-energy']
// :param limit => 50001
MATCH (s:Entity)
WHERE s.id IN $ids
CALL (s) { MATCH (s)-[:OWNS|CONTROLS*0..100]->(a:Entity) RETURN DISTINCT a }
WITH DISTINCT a
RETURN a.id AS id
LIMIT $limit
