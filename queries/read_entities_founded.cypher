// Entities founded in a date window (the candidates of a cluster search).
// :param founded_from => date('2024-12-01')
// :param founded_to => date('2024-12-31')
// :param limit => 2001
MATCH (e:Entity)
WHERE e.founded >= $founded_from AND e.founded <= $founded_to
RETURN e.id AS id
LIMIT $limit  // no ORDER BY: a wide window stops at the limit instead of sorting every entity
