// The parts already stored of the edges between some pairs (to place a load's rows on them).
// A row's identity is its row_key; a part closed by a snapshot that the source reports again gets a new part.
// Read from the owned side (few owners each), never from an owner's thousands of holdings.
// :param type => 'OWNS'
// :param pairs => [{from_id: 'qh-borong-group', to_id: 'ph-qh-dc-project-1'}]
UNWIND $pairs AS pair
MATCH (b:Entity {id: pair.to_id})<-[r]-(a:Entity)
USING INDEX b:Entity(id)
WHERE a.id = pair.from_id AND type(r) = $type
RETURN a.id AS from_id, b.id AS to_id, r.key AS key, coalesce(r.row_key, r.key) AS row_key,
       r.closed_by_snapshot AS closed, r.reopened AS reopened
