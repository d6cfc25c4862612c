// Create or update relations reported by a source as its own computed answer (kept to compare, never computed with).
// :param rows => [{from_id: 'child-lei', to_id: 'ultimate-parent-lei', key: 'c|p|ultimate_parent||', props: {relation: 'ultimate_parent'}}]
UNWIND $rows AS row
MATCH (a:Entity {id: row.from_id})
MATCH (b:Entity {id: row.to_id})
MERGE (a)-[r:REPORTED {key: row.key}]->(b)
SET r = row.props
