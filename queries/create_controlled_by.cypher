// Write the engine's "x controls y" answers back as (y)-[:CONTROLLED_BY]->(x), ultimate and intermediate controllers alike.
// :param rows => [{target: 'ph-qh-dc-project-1', controller: 'ph-qh-holding-a', props: {ruleset: 'majority', as_of: date(), definite: true}}]
UNWIND $rows AS row
MATCH (t:Entity {id: row.target})
MATCH (c:Entity {id: row.controller})
CREATE (t)-[r:CONTROLLED_BY]->(c)
SET r = row.props
