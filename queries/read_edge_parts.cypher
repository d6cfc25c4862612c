// The parts already stored of the edges between some pairs (to place a load's rows on them).
// A row's identity is its row_key; a part closed by a snapshot that the source reports again gets a new part.
// :param type => 'OWNS'
// :param pairs => [{from_id: 'qh-borong-group', to_id: 'ph-qh-dc-project-1'}]
UNWIND $pairs AS pair
MATCH (a:Entity {id: pair.from_id})-[r]->(b:Entity {id: pair.to_id})
WHERE type(r) = $type
RETURN a.id AS from_id, b.id AS to_id, r.key AS key, coalesce(r.row_key, r.key) AS row_key,
       r.closed_by_snapshot AS closed, r.reopened AS reopened
