// The upstream owners of an entity with the share of every stake (draw it as a graph in the Browser).
// :param id => 'ph-qh-dc-project-1'
MATCH p = (e:Entity {id: $id})<-[:OWNS|CONTROLS*1..8]-(:Entity)
RETURN p
LIMIT 300
