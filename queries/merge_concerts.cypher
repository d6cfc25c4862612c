// Create or update ACTS_IN_CONCERT links between two parties (optionally scoped to one company).
// Returns both parties of a link that is new or says something new (fingerprint fp).
// :param rows => [{from_id: 'a', to_id: 'b', key: 'a|b|||', props: {scope_id: null, fp: 'x'}}]
UNWIND $rows AS row
MATCH (a:Entity {id: row.from_id})
MATCH (b:Entity {id: row.to_id})
MERGE (a)-[r:ACTS_IN_CONCERT {key: row.key}]->(b)
WITH r, a, b, row, r.fp AS before
SET r = row.props
WITH a, b, before, row
WHERE before IS NULL OR before <> row.props.fp
UNWIND [a.id, b.id] AS changed
RETURN DISTINCT changed
