// Create or update typed non-ownership links (supplier, customer, director, ...): shown, never used for control.
// :param rows => [{from_id: 'a', to_id: 'b', key: 'a|b|supplier||', props: {link_type: 'supplier'}}]
UNWIND $rows AS row
MATCH (a:Entity {id: row.from_id})
MATCH (b:Entity {id: row.to_id})
MERGE (a)-[r:LINK {key: row.key}]->(b)
SET r = row.props
