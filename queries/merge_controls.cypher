// Create or update CONTROLS edges (controller -> controlled) with their basis.
// Returns the controlled entities whose edge is new or says something new (fingerprint fp).
// :param rows => [{from_id: 'gp', to_id: 'lp-fund', key: 'gp|lp-fund|general_partner||', props: {basis: 'general_partner', fp: 'x'}}]
UNWIND $rows AS row
MATCH (a:Entity {id: row.from_id})
MATCH (b:Entity {id: row.to_id})
MERGE (a)-[r:CONTROLS {key: row.key}]->(b)
WITH r, b, row, r.fp AS before
SET r = row.props
WITH b, before, row
WHERE before IS NULL OR before <> row.props.fp
RETURN DISTINCT b.id AS changed
