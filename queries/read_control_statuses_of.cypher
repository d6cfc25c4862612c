// The recorded control status of some entities (those that have one).
// :param ids => ['ph-qh-dc-project-1']
UNWIND $ids AS id
MATCH (e:Entity {id: id})
WHERE e.control_status IS NOT NULL
RETURN e.id AS id, e.control_status AS status
