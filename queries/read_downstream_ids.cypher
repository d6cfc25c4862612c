// Everything some entities hold or control through any chain of OWNS and CONTROLS (themselves included), each once.
// DISTINCT end nodes let the planner prune the variable-length expansion (breadth-first, no path enumeration).
// :param ids => ['cn-chn-energy']
// :param limit => 50001
MATCH (s:Entity)
WHERE s.id IN $ids
MATCH (s)-[:OWNS|CONTROLS*0..100]->(a:Entity)
RETURN DISTINCT a.id AS id
LIMIT $limit
