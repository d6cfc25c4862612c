// Create or update OWNS stakes (owner -> owned), keyed by the stake's identity.
// :param rows => [{owner_id: 'a', owned_id: 'b', key: 'a|b|||', props: {share: 0.51}}]
UNWIND $rows AS row
MATCH (o:Entity {id: row.owner_id})
MATCH (t:Entity {id: row.owned_id})
MERGE (o)-[r:OWNS {key: row.key}]->(t)
SET r = row.props
