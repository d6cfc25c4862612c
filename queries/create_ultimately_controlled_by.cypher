// Write the engine's ultimate controllers back as (y)-[:ULTIMATELY_CONTROLLED_BY]->(x) (definite: false when only possible).
// :param rows => [{target: 'ph-qh-dc-project-1', controller: 'qh-borong-group', props: {ruleset: 'majority', as_of: date(), definite: true}}]
UNWIND $rows AS row
MATCH (t:Entity {id: row.target})
MATCH (c:Entity {id: row.controller})
CREATE (t)-[r:ULTIMATELY_CONTROLLED_BY]->(c)
SET r = row.props
