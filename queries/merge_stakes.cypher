// Create or update OWNS stakes (owner -> owned), keyed by the part they write.
// Returns the owned entities whose stake is new or says something new (fingerprint fp).
// :param rows => [{owner_id: 'a', owned_id: 'b', key: 'a|b|||', props: {share: 0.51, key: 'a|b|||', fp: 'x'}}]
UNWIND $rows AS row
MATCH (o:Entity {id: row.owner_id})
MATCH (t:Entity {id: row.owned_id})
MERGE (o)-[r:OWNS {key: row.key}]->(t)
WITH r, t, row, r.fp AS before
SET r = row.props
WITH t, before, row
WHERE before IS NULL OR before <> row.props.fp
RETURN DISTINCT t.id AS changed
