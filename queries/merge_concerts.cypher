// Create or update ACTS_IN_CONCERT links between two parties (optionally scoped to one company).
// :param rows => [{from_id: 'a', to_id: 'b', key: 'a|b|||', props: {scope_id: null}}]
UNWIND $rows AS row
MATCH (a:Entity {id: row.from_id})
MATCH (b:Entity {id: row.to_id})
MERGE (a)-[r:ACTS_IN_CONCERT {key: row.key}]->(b)
SET r = row.props
