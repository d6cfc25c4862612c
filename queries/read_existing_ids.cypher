// Which of some ids are entities of the graph (a delta's references to what was loaded before).
// :param ids => ['qh-borong-group']
UNWIND $ids AS id
MATCH (e:Entity {id: id})
RETURN e.id AS id
