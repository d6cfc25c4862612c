// Create or update CONTROLS edges (controller -> controlled) with their basis.
// :param rows => [{from_id: 'gp', to_id: 'lp-fund', key: 'gp|lp-fund|general_partner||', props: {basis: 'general_partner'}}]
UNWIND $rows AS row
MATCH (a:Entity {id: row.from_id})
MATCH (b:Entity {id: row.to_id})
MERGE (a)-[r:CONTROLS {key: row.key}]->(b)
SET r = row.props
