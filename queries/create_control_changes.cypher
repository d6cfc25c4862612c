// Record what a materialisation changed: one ControlChange per entity, linked to it and to the load that caused it.
// :param rows => [{entity_id: 'ph-qh-dc-project-1', load_id: 'registry-csv:data', props: {seq: 1, status_before: null, status_after: 'controlled'}}]
UNWIND $rows AS row
MATCH (e:Entity {id: row.entity_id})
CREATE (c:ControlChange)-[:CHANGE_OF]->(e)
SET c = row.props
WITH c, row
WHERE row.load_id IS NOT NULL
MATCH (l:Load {id: row.load_id})
CREATE (c)-[:CAUSED_BY]->(l)
