// Blocking for candidate matches: for each entity, the few entities whose names share terms with its own
// (the full-text index of names), never a comparison with everything.
// :param rows => [{id: 'fj-holding', q: 'fujian OR example'}]
// :param limit => 10
UNWIND $rows AS row
CALL db.index.fulltext.queryNodes('entity_names', row.q, {limit: $limit}) YIELD node, score
WITH row, node, score
WHERE node.id <> row.id
RETURN row.id AS id, node {.*} AS hit, score
