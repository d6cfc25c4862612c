// Write the engine's control answers back as relationships that Browser users can query directly.
// :param rows => [{target: 'qh-project-a', controller: 'qh-borong-group', type: 'ULTIMATELY_CONTROLLED_BY', props: {ruleset: 'majority', as_of: date(), definite: true}}]
UNWIND $rows AS row
MATCH (t:Entity {id: row.target})
MATCH (c:Entity {id: row.controller})
CALL (t, c, row) {
  WITH t, c, row WHERE row.type = 'CONTROLLED_BY'
  CREATE (t)-[r:CONTROLLED_BY]->(c) SET r = row.props
  UNION
  WITH t, c, row WHERE row.type = 'ULTIMATELY_CONTROLLED_BY'
  CREATE (t)-[r:ULTIMATELY_CONTROLLED_BY]->(c) SET r = row.props
}
