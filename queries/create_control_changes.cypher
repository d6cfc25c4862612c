// Record what a materialisation changed: one ControlChange per entity, linked to it, to the controllers it names
// (INVOLVES, keyed for the per-controller feed) and to the load that caused it.
// :param rows => [{entity_id: 'ph-qh-dc-project-1', load_id: 'registry-csv:data', involves: [{id: 'qh-borong-group', ckey: 'qh-borong-group\u00010000000000000000001'}], props: {seq: 1}}]
UNWIND $rows AS row
MATCH (e:Entity {id: row.entity_id})
CREATE (c:ControlChange)-[:CHANGE_OF]->(e)
SET c = row.props
WITH c, row
CALL (c, row) {
  UNWIND row.involves AS involved
  MATCH (x:Entity {id: involved.id})
  CREATE (c)-[:INVOLVES {ckey: involved.ckey}]->(x)
}
WITH c, row
WHERE row.load_id IS NOT NULL
MATCH (l:Load {id: row.load_id})
CREATE (c)-[:CAUSED_BY]->(l)
